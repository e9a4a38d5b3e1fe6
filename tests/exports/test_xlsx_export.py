"""The formatted Excel export (perfbudget.export.xlsx): header, filter, widths, exact 万元,
rate formats, severity fills, and text that can never run as a formula."""

from __future__ import annotations

import io
from decimal import Decimal

import pandas as pd
import pytest
from openpyxl import load_workbook

from perfbudget import db, flags
from perfbudget.export.xlsx import Column, dataframe_to_xlsx, neutralise
from perfbudget.scope import Scope


def _sheet(content: bytes):
    return load_workbook(io.BytesIO(content)).active


@pytest.fixture
def frame():
    return pd.DataFrame(
        {
            "code": ["P001", "P002", '=HYPERLINK("http://x","y")'],
            "name": ["校舍维修", "+cmd|' /C calc'!A0", "@SUM(A1)"],
            "budget": [Decimal("1234567.89"), Decimal("100000.00"), None],
            "rate": [0.4215, 1.15, float("nan")],
            "gap": [-24.55, 3.0, None],
            "month": [7, 7, 7],
            "severity": ["red", "yellow", "blue"],
        }
    )


COLUMNS = [
    Column("code", "项目编码"),
    Column("name", "项目名称"),
    Column("budget", "调整后预算数（万元）", "wan"),
    Column("rate", "执行率", "rate"),
    Column("gap", "进度差（百分点）", "pp"),
    Column("month", "截至月份", "integer"),
]


def test_header_is_bold_frozen_and_filtered(frame):
    ws = _sheet(dataframe_to_xlsx(frame, COLUMNS, sheet_name="预警"))
    assert ws.title == "预警"
    assert [c.value for c in ws[1]] == [c.header for c in COLUMNS]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:F4"


def test_money_is_written_in_wan_exactly_with_two_decimals_shown(frame):
    ws = _sheet(dataframe_to_xlsx(frame, COLUMNS))
    cell = ws["C2"]
    # 1,234,567.89 元 = 123.456789 万元, kept exact; the format shows 123.46
    assert cell.value == pytest.approx(123.456789, abs=1e-12)
    assert cell.number_format == "#,##0.00"
    assert ws["C3"].value == 10
    assert ws["C4"].value is None


def test_rates_are_fractions_formatted_as_percent_and_gaps_signed(frame):
    ws = _sheet(dataframe_to_xlsx(frame, COLUMNS))
    assert ws["D2"].value == pytest.approx(0.4215)
    assert ws["D2"].number_format == "0.0%"
    assert ws["D4"].value is None  # NaN stays empty, not 'nan'
    assert ws["E2"].value == pytest.approx(-24.55)
    assert ws["E2"].number_format.startswith("+0.0")
    assert ws["F2"].value == 7


def test_rows_are_filled_by_severity(frame):
    ws = _sheet(dataframe_to_xlsx(frame, COLUMNS, severity_key="severity"))
    fills = [ws.cell(row=r, column=1).fill.start_color.rgb[-6:] for r in (2, 3, 4)]
    assert fills == ["FFC7CE", "FFEB9C", "BDD7EE"]
    assert ws["F2"].fill.start_color.rgb[-6:] == "FFC7CE"  # the whole row


def test_formula_like_text_is_neutralised_with_a_leading_quote(frame):
    ws = _sheet(dataframe_to_xlsx(frame, COLUMNS))
    assert ws["A4"].value == '\'=HYPERLINK("http://x","y")'
    assert ws["B3"].value == "'+cmd|' /C calc'!A0"
    assert ws["B4"].value == "'@SUM(A1)"
    assert all(ws.cell(row=r, column=c).data_type != "f" for r in range(1, 5) for c in range(1, 7))
    assert neutralise("-1+1") == "'-1+1"
    assert neutralise("\t=1") == "'\t=1"
    assert neutralise("校舍维修") == "校舍维修"


def test_column_widths_fit_chinese_text(frame):
    ws = _sheet(dataframe_to_xlsx(frame, COLUMNS))
    # a Chinese character is two columns wide: 调整后预算数（万元） is 20 wide
    assert ws.column_dimensions["C"].width >= 20
    assert ws.column_dimensions["F"].width == 10  # 截至月份: 8 wide, plus a margin of 2


def test_an_empty_frame_still_gives_a_header_row():
    empty = pd.DataFrame(columns=[c.key for c in COLUMNS])
    ws = _sheet(dataframe_to_xlsx(empty, COLUMNS))
    assert ws.max_row == 1
    assert ws["A1"].value == "项目编码"


def test_warning_flags_of_the_hand_fixture_export_with_chinese_sentences(hand_db):
    from perfbudget.export.tables import warning_xlsx

    public = flags.warning_flags(hand_db, 2025, 7, Scope.public())
    ws = _sheet(warning_xlsx(public))
    header = [c.value for c in ws[1]]
    assert header[:7] == [
        "等级",
        "项目编码",
        "项目名称",
        "主管部门编码",
        "主管部门",
        "预警规则",
        "预警说明",
    ]
    rows = [
        dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)
    ]
    assert "P007" not in {r["项目编码"] for r in rows}  # sensitive department D03
    p003 = next(r for r in rows if r["项目编码"] == "P003" and r["预警规则"] == "支出进度偏慢")
    assert p003["等级"] == "红色"
    assert p003["预警说明"].startswith("截至7月执行率35.0%")
    assert p003["调整后预算数（万元）"] == 2000
    assert p003["执行率"] == pytest.approx(0.35)


def test_the_warnings_workbook_carries_each_flag_s_run_and_latest_follow_up(hand_db):
    """Issue 14: the warnings .xlsx had no follow-up. With data.with_followup's columns (the
    page's download adds them on click) it has 连续预警月数, 跟进状态 and 跟进说明: P003's
    red slow spending, noted 已关注 with a note, flagged from June (its run at July: 2)."""
    from perfbudget.export.tables import warning_xlsx

    flags.record_followup(
        hand_db,
        year=2025,
        project_code="P003",
        department_code="D01",
        rule_id="slow_spending",
        as_of_month=7,
        status="已关注",
        note="已约谈主管部门",
        user="boss",
    )
    shown = flags.warning_flags(hand_db, 2025, 7, Scope.public())
    persistence = flags.persistence(
        shown, 7, lambda m, rules: flags.flag_keys(hand_db, 2025, m, Scope.public(), rules)
    )
    followups = db.run_live(hand_db, "flag_followups", Scope.public(), year=2025)
    ws = _sheet(warning_xlsx(flags.with_followup(shown, persistence, followups)))
    header = [c.value for c in ws[1]]
    assert header[-3:] == ["连续预警月数", "跟进状态", "跟进说明"]
    rows = [
        dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=2)
    ]
    p003 = next(r for r in rows if r["项目编码"] == "P003" and r["预警规则"] == "支出进度偏慢")
    assert (p003["跟进状态"], p003["跟进说明"]) == ("已关注", "已约谈主管部门")
    assert (
        p003["连续预警月数"]
        == persistence.set_index(["project_code", "rule"]).loc[
            ("P003", "slow_spending"), "months_flagged"
        ]
    )
    others = [r for r in rows if r is not p003]
    assert all(r["跟进状态"] in (None, "—", "") for r in others)
    # without the columns (the CLI's table export) the workbook is as before
    assert "跟进状态" not in [c.value for c in _sheet(warning_xlsx(shown))[1]]
