"""Issue 14's wording on screen: one of something in the singular, thresholds as the settings
page shows them (万元, %), a data-quality sentence about one indicator."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

from perfbudget import thresholds
from perfbudget.flags import _data_quality
from perfbudget.i18n import t


def test_one_of_something_is_singular_in_english():
    assert t("n_projects", "en", n=1) == "1 project"
    assert t("n_projects", "en", n=2) == "2 projects"
    assert t("n_projects", "en", n="1") == "1 project"
    assert t("n_projects", "en", n=11) == "11 projects"
    assert t("since_label", "en", m=12, n=1) == "since month 12 (1 month)"
    assert t("since_label", "en", m=6, n=7) == "since month 6 (7 months)"
    assert t("n_items", "en", n=1) == "1 item"
    # Chinese has no plural: the same text either way
    assert t("n_projects", "zh", n=1) == "1个项目" == t("n_projects_one", "zh", n=1)
    assert t("since_label", "zh", m=12, n=1) == "自12月起连续1个月"


def test_the_settings_page_shows_amounts_in_wan_and_rates_in_percent():
    large = thresholds.BY_KEY[("slow_spending", "large_budget_yuan")]
    assert large.to_input(Decimal("10000000")) == 1000.0
    assert large.from_input(1000.0) == Decimal("10000000")
    assert large.from_input(1500.5) == Decimal("15005000")
    assert large.input_step() == 10.0  # 100,000 元
    assert large.input_unit("zh") == "万元" and "万元" in large.label_zh
    assert "单位：万元" in large.help("zh")
    share = thresholds.BY_KEY[("large_balance", "red_at")]
    assert share.to_input(Decimal("0.20")) == 20.0
    assert share.from_input(20.0) == Decimal("0.2")  # unchanged when saved as shown
    assert share.input_step() == 5.0
    assert "允许：0–100" in share.help("zh") and "unit: %" in share.help("en")
    # a ratio (the pace R) stays as it is
    pace = thresholds.BY_KEY[("slow_spending", "pace_red_below")]
    assert pace.to_input(Decimal("0.7")) == 0.7 and pace.from_input(0.7) == Decimal("0.7")


def test_a_data_quality_sentence_about_one_indicator_is_singular():
    row = SimpleNamespace(
        last_reported_month=6,
        points_total=90,
        unreported_indicator_count=1,
        spent_yuan=0,
        sub_rules="indicator_unreported",
    )
    assert _data_quality(row, 6, "en") == "1 indicator has no value at all up to month 6."
    assert _data_quality(row, 6, "zh") == "1个指标截至6月未填报任何完成值。"
    row.unreported_indicator_count = 2
    assert _data_quality(row, 6, "en") == "2 indicators have no value at all up to month 6."


def test_fit_columns_shrinks_the_widest_text_and_wraps_its_rows():
    import pandas as pd

    from perfbudget.ui.tables import WRAPPING_ROW_HEIGHT, fit_columns, text_px

    assert text_px("项目") == 28 and text_px("Ab1.") == 8 + 6.7 + 7 + 4
    frame = pd.DataFrame({"名称": ["很" * 30], "金额": [1234.5]})
    # 名称: 420 px of text + 16 padding; 金额: its cell 1234.5 (5 digits × 7 + the point's 4)
    # + 16 = 55, more than its header's 28 + 16 + 6
    config, row_height = fit_columns(frame, room=1000)
    assert config["名称"]["width"] == 436 and config["金额"]["width"] == 55
    assert row_height is None
    config, row_height = fit_columns(frame, room=300)
    # the name gives way (to 300 − 55 = 245 px ≥ its floor 436 × 1.1 / 3 + 16 = 176): 3 lines
    assert config["名称"]["width"] == 245 and config["金额"]["width"] == 55
    assert row_height == WRAPPING_ROW_HEIGHT
    # never below its floor: the table then stays wider than the room
    config, _ = fit_columns(frame, room=100)
    assert config["名称"]["width"] == 176


def test_a_forecast_of_a_project_that_stopped_reporting_is_a_line_not_a_lone_dot():
    import pandas as pd

    from perfbudget.charts import forecast_curve_chart

    # reported to September (10% a month), as of December; s(m) = m / 12
    curve = pd.DataFrame({"month": range(1, 10), "execution_rate": [m / 10 for m in range(1, 10)]})
    shares = pd.DataFrame({"month": range(1, 13), "typical_share": [m / 12 for m in range(1, 13)]})
    fig = forecast_curve_chart(curve, shares, 12, 0.9, "zh")
    projection = fig.data[2]
    assert list(projection.y[:8]) == [None] * 8
    assert projection.y[8] == 0.9  # the last reported point, September
    assert projection.y[9] is None and projection.y[10] is None
    assert projection.y[11] == 0.9  # the forecast × s(12) = 0.9 × 1
    assert projection.connectgaps is True
    # reported up to the as-of month: the projection starts there, as before
    fig = forecast_curve_chart(curve, shares, 9, 1.2, "zh")
    assert fig.data[2].y[8] == 1.2 * 9 / 12 and fig.data[2].y[7] is None


def test_a_flags_value_has_its_unit():
    from perfbudget.flags import value_unit

    assert value_unit("slow_spending", "pace", 0.6) == "进度比"
    assert value_unit("slow_spending", "pace,large_gap", 0.5) == "进度比"
    assert value_unit("slow_spending", "pace,large_gap", -25.0) == "百分点"
    assert value_unit("slow_spending", "large_gap", -25.0) == "百分点"
    assert value_unit("over_budget", "", 1.15) == "比率（1为100%）"
    assert value_unit("disclosure_gap", "project_not_disclosed", 6e6) == "元"
    assert value_unit("disclosure_gap", "department_coverage", 0.3) == "比率（1为100%）"
    assert value_unit("rectification_overdue", None, 12) == "天"
    assert value_unit("data_quality", "points_not_90,not_reported", 80) == "分"


def test_the_warnings_workbook_says_the_unit_of_each_value(hand_db):
    from io import BytesIO

    from openpyxl import load_workbook

    from perfbudget import flags
    from perfbudget.export.tables import warning_xlsx
    from perfbudget.scope import Scope

    sheet = load_workbook(
        BytesIO(warning_xlsx(flags.warning_flags(hand_db, 2025, 7, Scope.public())))
    ).active
    header = [c.value for c in sheet[1]]
    assert header[7:10] == ["指标值", "阈值", "单位（指标值、阈值）"]
    rows = [
        dict(zip(header, (c.value for c in r), strict=True)) for r in sheet.iter_rows(min_row=2)
    ]
    slow = {r["项目编码"]: r for r in rows if r["预警规则"] == "支出进度偏慢"}
    # P003: red by the large-project gap, −23.3 against −20 percentage points
    assert slow["P003"]["阈值"] == -20 and slow["P003"]["单位（指标值、阈值）"] == "百分点"
    # P002: yellow by its pace 0.6 against 0.8
    assert slow["P002"]["阈值"] == 0.8 and slow["P002"]["单位（指标值、阈值）"] == "进度比"
    assert all(r["单位（指标值、阈值）"] is not None or r["指标值"] is None for r in rows)


def test_the_upload_history_names_every_table_kind_a_batch_can_list():
    """Issue 14: the history's 表类型 showed raw names (districts, departments, units,
    spending) for the tables a units file or an older batch lists."""
    from perfbudget.importer.counts import kind_name

    assert [kind_name(k) for k in ("districts", "departments", "units", "spending")] == [
        "区",
        "部门",
        "单位",
        "预算执行",
    ]
    assert kind_name("units", "en") == "Units"
    assert kind_name("something_else") == "something_else"  # an unknown one as it is
