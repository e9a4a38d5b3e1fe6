"""Indicators reported quarterly (or at any months), docs/figures.md#settled-quarterly: at as-of month m
an indicator stands on its latest actual at or before m, reported for month mₐ, judged against
mₐ's time progress and shown 截至mₐ月; 未填报 only with no actual at all up to m. Output
progress and spend_output_mismatch use the same figures; year-end rules need a year-end value.

The fixture, year 2025, as of August (time progress 8/12) with actuals reported for June:

Q1 巡查服务 (D1), adjusted budget 1,200,000, spent 1,000,000 to August:
  rate 0.833333, pace R = 1,000,000 × 12 ÷ (1,200,000 × 8) = 1.25 exactly.
  | indicator | level | target | points | June actual | v at August |
  |---|---|---|---|---|---|
  | 巡查次数 | 产出/数量, cumulative | ≥120次 | 30 | 42 (and 90 for September) | 42 ÷ (120 × 6/12) = 0.7 → yellow (judged at 8/12 it would be 0.525, red) |
  | 验收合格率 | 产出/质量 | ≥95% | 20 | 95 | 1 |
  | 单次巡查成本 | 产出/成本 | ≤500元 | 10 | 450 | 1 |
  | 响应时间 | 产出/时效 | ≤30天 | 10 | none at all | 未填报 |
  | 群众满意度 | 满意度 | ≥90% | 20 | 92 | 92 ÷ 90 = 1.022222 → green |
  Output progress = (30 × 0.7 + 20 × 1 + 10 × 1) ÷ 60 = 51/60 = 0.85 (响应时间 left out);
  d = 1.25 − 0.85 = 0.4 → spend_output_mismatch red (≥ 0.35), spending ahead.
  Scorecard: 1 yellow, 3 green, 1 grey; weighted attainment (capped a over those with a value)
  = (30 × 0.35 + 20 + 10 + 20) ÷ 80 = 60.5/80 = 0.75625.
Q2 师资培训 (D1), no spending: 培训人次 ≥100 cumulative, June actual 40 with its 序时目标值 64
  → v = 40 ÷ 64 = 0.625 (not 40 ÷ (100 × 6/12) = 0.8, nor ÷ 8/12 = 0.6).
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from perfbudget import cli, db
from perfbudget.db import run_query
from perfbudget.flags import warning_flags

YEAR = 2025

# project, level1, level2, name, operator, target, target text, unit, points
INDICATORS = [
    ("Q1", "产出指标", "数量指标", "巡查次数", "≥", "120", "≥120次", "次", "30"),
    ("Q1", "产出指标", "质量指标", "验收合格率", "≥", "95", "≥95%", "%", "20"),
    ("Q1", "产出指标", "成本指标", "单次巡查成本", "≤", "500", "≤500元", "元", "10"),
    ("Q1", "产出指标", "时效指标", "响应时间", "≤", "30", "≤30天", "天", "10"),
    ("Q1", "满意度指标", "服务对象满意度指标", "群众满意度", "≥", "90", "≥90%", "%", "20"),
    ("Q2", "产出指标", "数量指标", "培训人次", "≥", "100", "≥100人次", "人次", "90"),
]
# project, name, month, actual, period target (序时目标值)
ACTUALS = [
    ("Q1", "巡查次数", 6, "42", None),
    ("Q1", "巡查次数", 9, "90", None),  # after August: not used at August
    ("Q1", "验收合格率", 6, "95", None),
    ("Q1", "单次巡查成本", 6, "450", None),
    ("Q1", "群众满意度", 6, "92", None),
    ("Q2", "培训人次", 6, "40", "64"),
]


def seed(conn) -> None:
    conn.execute("insert into departments values ('D1', '区城管局', '示例区', false, null)")
    conn.executemany(
        "insert into projects (year, project_code, project_name, department_code,"
        " adjusted_budget_yuan, initial_budget_yuan) values (?, ?, ?, 'D1', ?, ?)",
        [
            (YEAR, "Q1", "巡查服务", Decimal("1200000"), Decimal("1200000")),
            (YEAR, "Q2", "师资培训", Decimal("300000"), Decimal("300000")),
        ],
    )
    conn.executemany(
        "insert into spending (year, month, project_code, fund_source, cumulative_yuan)"
        " values (?, ?, 'Q1', '', ?)",
        [(YEAR, 6, Decimal("600000")), (YEAR, 8, Decimal("1000000"))],
    )
    levels = {}
    for p, l1, l2, name, op, target, text, unit, points in INDICATORS:
        levels[(p, name)] = (l1, l2)
        conn.execute(
            "insert into indicators (year, project_code, level1, level2, indicator_name,"
            " operator, target_value, target_text, unit, points) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [YEAR, p, l1, l2, name, op, Decimal(target), text, unit, Decimal(points)],
        )
    for p, name, month, value, period_target in ACTUALS:
        add_actual(conn, p, name, month, value, period_target, levels)


def add_actual(conn, project, name, month, value, period_target=None, levels=None) -> None:
    if levels is None:
        levels = {(p, n): (l1, l2) for p, l1, l2, n, *_ in INDICATORS}
    l1, l2 = levels[(project, name)]
    conn.execute(
        "insert into indicator_actuals (year, project_code, level1, level2, indicator_name,"
        " month, actual_value, period_target) values (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            YEAR,
            project,
            l1,
            l2,
            name,
            month,
            Decimal(value),
            None if period_target is None else Decimal(period_target),
        ],
    )


@pytest.fixture
def conn():
    c = db.connect()
    seed(c)
    yield c
    c.close()


def by_indicator(conn, month: int):
    return run_query(conn, "indicator_attainment", year=YEAR, month=month).set_index("indicator")


# --- the standing of an indicator ------------------------------------------------------------


def test_a_june_actual_stands_in_august_judged_against_june(conn):
    row = by_indicator(conn, 8).loc["巡查次数"]
    assert bool(row["is_reported"])
    assert row["actual_month"] == 6
    assert row["actual_value"] == 42
    assert row["attainment"] == pytest.approx(0.35, abs=1e-12)  # 42 ÷ 120
    assert row["progress"] == 0.7  # 42 ÷ (120 × 6/12), exact
    assert row["light"] == "yellow"  # 0.6 ≤ 0.7 < 0.8


def test_an_actual_for_a_later_month_is_not_used(conn):
    at_august = by_indicator(conn, 8).loc["巡查次数"]
    assert (at_august["actual_month"], at_august["actual_value"]) == (6, 42)
    at_september = by_indicator(conn, 9).loc["巡查次数"]
    assert (at_september["actual_month"], at_september["actual_value"]) == (9, 90)
    assert at_september["progress"] == 1.0  # 90 ÷ (120 × 9/12)
    # before June there is nothing yet
    at_may = by_indicator(conn, 5).loc["巡查次数"]
    assert not bool(at_may["is_reported"])
    assert at_may["light"] == "grey"


def test_the_period_target_is_the_one_imported_for_the_reported_month(conn):
    row = by_indicator(conn, 8).loc["培训人次"]
    assert row["actual_month"] == 6
    assert row["progress"] == 0.625  # 40 ÷ 64


def test_only_an_indicator_with_no_actual_up_to_the_month_is_unreported(conn):
    indicators = by_indicator(conn, 8)
    assert not bool(indicators.loc["响应时间", "is_reported"])
    assert indicators.loc["响应时间", "actual_month"] != indicators.loc["响应时间", "actual_month"]
    assert indicators[indicators.index != "响应时间"]["is_reported"].all()
    flags = run_query(conn, "warning_data_quality", year=YEAR, month=8).set_index("project_code")
    assert flags.loc["Q1", "sub_rules"] == "indicator_unreported"  # points 90, has a cost one
    assert flags.loc["Q1", "unreported_indicator_count"] == 1
    assert "indicator_unreported" not in flags.loc["Q2", "sub_rules"]
    message = (
        warning_flags(conn, YEAR, 8)
        .set_index(["project_code", "rule"])
        .loc[("Q1", "data_quality"), "message"]
    )
    assert message == "1个指标截至8月未填报任何完成值。"


def test_the_overview_counts_an_indicator_reported_in_june_as_reported(conn):
    summary = run_query(conn, "scope_summary", year=YEAR, month=8).iloc[0]
    assert summary["indicator_count"] == 6
    assert summary["indicator_reported_count"] == 5  # all but 响应时间
    assert summary["indicator_on_track_count"] == 3  # v ≥ 0.8: 合格率, 成本, 满意度


# --- output progress and the mismatch rule ---------------------------------------------------


def test_output_progress_uses_the_june_figures(conn):
    output = run_query(conn, "project_output_progress", year=YEAR, month=8).set_index(
        "project_code"
    )
    assert output.loc["Q1", "output_progress"] == 0.85  # 51 ÷ 60
    assert output.loc["Q1", "reported_count"] == 3
    assert output.loc["Q1", "output_indicator_count"] == 4
    assert output.loc["Q1", "oldest_actual_month"] == 6
    dual = run_query(conn, "project_dual_monitoring", year=YEAR, month=8).set_index("project_code")
    assert dual.loc["Q1", "output_progress"] == 0.85
    assert dual.loc["Q1", "difference"] == pytest.approx(0.4, abs=1e-12)
    assert dual.loc["Q1", "oldest_actual_month"] == 6


def test_spend_output_mismatch_uses_the_june_figures(conn):
    flags = run_query(conn, "warning_spend_output_mismatch", year=YEAR, month=8)
    row = flags.set_index("project_code").loc["Q1"]
    assert row["pace"] == 1.25
    assert row["output_progress"] == 0.85
    assert row["value"] == pytest.approx(0.4, abs=1e-12)  # 1.25 − 0.85
    assert (row["severity"], row["sub_rules"]) == ("red", "spending_ahead")


def test_the_scorecard_counts_and_output_progress_at_august(conn):
    card = run_query(conn, "project_target_scorecard", year=YEAR, month=8).set_index("project_code")
    q1 = card.loc["Q1"]
    assert (
        q1["red_count"],
        q1["yellow_count"],
        q1["green_count"],
        q1["blue_count"],
        q1["grey_count"],
    ) == (0, 1, 3, 0, 1)
    assert q1["weighted_attainment"] == pytest.approx(0.75625, abs=1e-12)
    assert q1["output_progress"] == 0.85
    assert q1["oldest_actual_month"] == 6
    assert q1["worst_light"] == "yellow"


# --- indicator_behind and its sentence -------------------------------------------------------


def test_indicator_behind_is_judged_at_the_reported_month_and_says_so(conn):
    flags = run_query(conn, "warning_indicator_behind", year=YEAR, month=8).set_index(
        "project_code"
    )
    row = flags.loc["Q1"]
    assert (row["severity"], row["indicator"], row["value"], row["threshold"]) == (
        "yellow",
        "巡查次数",
        0.7,
        0.8,
    )
    assert row["actual_month"] == 6
    flag = (
        warning_flags(conn, YEAR, 8)
        .set_index(["project_code", "rule"])
        .loc[("Q1", "indicator_behind")]
    )
    assert flag["message"].startswith(
        "截至6月（最近一次填报）「巡查次数」完成42次（目标≥120次），序时进度70.0%"
    )
    assert "截至8月" not in flag["message"]
    assert flag["message_en"].startswith("By month 6 (its latest report) '巡查次数' reached 42次")


def test_a_sentence_at_the_reported_month_itself_names_that_month_only(conn):
    flag = (
        warning_flags(conn, YEAR, 6)
        .set_index(["project_code", "rule"])
        .loc[("Q1", "indicator_behind")]
    )
    assert flag["message"].startswith("截至6月「巡查次数」")
    assert flag["message_en"].startswith("By month 6 '巡查次数'")


# --- year end --------------------------------------------------------------------------------


def test_target_not_met_needs_a_year_end_value(conn):
    # September's 90 (a = 0.75) is the latest actual at December, but not a year-end value
    assert run_query(conn, "warning_target_not_met", year=YEAR, month=12).empty
    assert by_indicator(conn, 12).loc["巡查次数", "actual_month"] == 9
    add_actual(conn, "Q1", "巡查次数", 12, "60")
    flags = run_query(conn, "warning_target_not_met", year=YEAR, month=12).set_index("project_code")
    assert (flags.loc["Q1", "severity"], flags.loc["Q1", "value"]) == ("red", 0.5)  # 60 ÷ 120


# --- the CLI report --------------------------------------------------------------------------


def test_cli_attainment_ends_with_actual_month_and_is_reported(tmp_path, capsys):
    path = tmp_path / "q.duckdb"
    c = db.connect(path)
    seed(c)
    c.close()
    code = cli.main(
        [
            "report",
            "attainment",
            "--db",
            str(path),
            "--year",
            "2025",
            "--month",
            "8",
            "--format",
            "json",
        ]
    )
    out, _ = capsys.readouterr()
    assert code == 0
    rows = json.loads(out)
    assert list(rows[0])[-2:] == ["actual_month", "is_reported"]
    assert list(rows[0])[:10] == [
        "project_code",
        "indicator",
        "level1",
        "level2",
        "operator",
        "target",
        "actual",
        "attainment",
        "progress",
        "light",
    ]
    named = {r["indicator"]: r for r in rows}
    assert (named["巡查次数"]["actual_month"], named["巡查次数"]["is_reported"]) == (6, True)
    assert named["巡查次数"]["progress"] == 0.7
    assert (named["响应时间"]["actual_month"], named["响应时间"]["is_reported"]) == (None, False)


# --- pages (AppTest; the sidebar's month defaults to the last with spending: August) ---------


@pytest.fixture
def app(tmp_path, monkeypatch):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    path = tmp_path / "q.duckdb"
    c = db.connect(path)
    seed(c)
    c.close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(Path(__file__).resolve().parents[2] / "app.py"), default_timeout=60)
    at.run()
    yield at
    st.cache_data.clear()
    st.cache_resource.clear()


def goto(at, page: str, **query):
    at.query_params.clear()
    at.query_params.update(query)
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_targets_page_shows_an_older_actual_as_of_its_month(app):
    at = goto(app, "pages/targets.py")
    assert at.session_state["period"] == (2025, 8)
    scorecard, indicators = at.dataframe[0].value, at.dataframe[1].value
    assert scorecard.set_index("项目编码").loc["Q1", "产出数据截至"] == "6月"
    actual = indicators.set_index("三级指标")["实际完成值"]
    assert actual["巡查次数"] == "42（截至6月）"
    assert actual["响应时间"] == "—"
    at.toggle(key="lang_en").set_value(True).run()
    actual = at.dataframe[1].value.set_index("Indicator")["Actual"]
    assert actual["巡查次数"] == "42 (as of month 6)"
    assert at.dataframe[0].value.set_index("Project code").loc["Q1", "Outputs as of"] == "Month 6"


def test_project_page_shows_the_month_its_output_progress_rests_on(app):
    at = goto(app, "pages/project.py", project="Q1")
    texts = "\n".join(str(m.value) for m in at.markdown)
    assert "产出数据截至6月" in texts
    assert [m.value for m in at.metric if m.label == "产出进度"] == ["85.0%"]
    indicators = next(df.value for df in at.dataframe if "三级指标" in df.value.columns)
    assert indicators.set_index("三级指标").loc["巡查次数", "实际完成值"] == "42（截至6月）"


def test_dual_monitoring_table_says_as_of_which_month(app):
    at = goto(app, "pages/dual_monitoring.py")
    table = at.dataframe[0].value.set_index("项目编码")
    assert table.loc["Q1", "产出进度"] == 85.0
    assert table.loc["Q1", "产出数据截至"] == "6月"
