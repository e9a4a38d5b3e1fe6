"""The downloadable templates: their look, and that a filled template imports cleanly."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from perfbudget.importer import (
    TABLE_KINDS,
    ImportRejected,
    import_files,
    template_csv_bytes,
    template_workbook_bytes,
)
from perfbudget.importer.columns import TEMPLATES
from tests.import_helpers import new_db

SHEETS = ["项目", "预算执行", "绩效指标", "成本", "成本标准", "整改", "预算申请"]


def test_one_sheet_per_kind_with_bold_frozen_commented_headers():
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook_bytes()))
    assert wb.sheetnames == [*SHEETS, "说明"]
    for kind, name in zip(TABLE_KINDS, SHEETS, strict=True):
        ws = wb[name]
        assert ws.freeze_panes == "A2"
        headers = [c.value for c in ws[1]]
        assert len(headers) == len(TEMPLATES[kind].columns)
        values = [c.value for row in ws.iter_rows(min_row=2) for c in row if c.value is not None]
        assert values == [], "data sheets carry no example rows"
        for cell, col in zip(ws[1], TEMPLATES[kind].columns, strict=True):
            assert cell.font.bold
            assert cell.comment is not None
            assert ("必填" if col.required else "选填") in cell.comment.text
            assert ("required" if col.required else "optional") in cell.comment.text
    assert wb["项目"]["Q1"].value == "调整后预算数（元）"
    assert "万元" in wb["项目"]["Q1"].comment.text
    guide = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "示例001" in guide and "单位：万元" in guide


def test_csv_template_is_a_utf8_bom_header_row():
    data = template_csv_bytes("execution")
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").strip() == (
        "年度,月份,季度,项目编码,资金来源,经济分类,本期支出（元）,累计支出（元）,全年预计执行数（元）"
    )
    for kind in TABLE_KINDS:
        assert (
            template_csv_bytes(kind).decode("utf-8-sig").count(",")
            == len(TEMPLATES[kind].columns) - 1
        )


def _fill(ws, rows):
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            ws.cell(row=r, column=c, value=value)


def test_filled_template_round_trips():
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook_bytes()))
    _fill(wb["项目"], [[
        "2025", "0012", "街道绿化养护", "示例区", "D01", "绿化市容局", "U01", "绿化所",
        "一般公共预算", "运行维护类", "绿化养护", "是", "否", "否", "是", 1000000, 1200000,
    ]])  # fmt: skip
    _fill(wb["预算执行"], [["2025", "1", None, "0012", None, None, 100000, None, 1150000],
                          ["2025", "2", None, "0012", None, None, 60000, None, None]])  # fmt: skip
    _fill(wb["绩效指标"], [["2025", "0012", "产出指标", "数量指标", "养护面积", "≥", "375",
                            "万平方米", 20, "否", None, "2", "60", None, None]])  # fmt: skip
    _fill(wb["成本"], [["2025", "0012", "人员成本", 450000, 3750000, "平方米"]])
    _fill(wb["成本标准"], [["2025", "绿化养护", "平方米", 0.32]])
    _fill(wb["整改"], [["2025", "0012", "支出进度偏慢", dt.date(2025, 3, 1), None]])
    # next year's request of the same project (a request needs no project of its year)
    _fill(wb["预算申请"], [["2026", "0012", "街道绿化养护", "D01", "绿化市容局", "U01", "绿化养护",
                            1300000, 3750000, "平方米", "否"]])  # fmt: skip
    out = io.BytesIO()
    wb.save(out)

    conn = new_db()
    result = import_files(conn, [("filled.xlsx", out.getvalue())])
    [summary] = result.files
    assert summary.table_kinds == list(TABLE_KINDS)
    assert summary.row_counts == {"projects": 1, "execution": 2, "indicators": 1,
                                  "indicator_actuals": 1, "costs": 1, "cost_standards": 1,
                                  "rectifications": 1, "budget_requests": 1}  # fmt: skip
    assert summary.ignored_columns == []
    assert not any("说明" in note for note in summary.notes)
    assert conn.execute("select project_code, adjusted_budget_yuan from projects").fetchall() == [
        ("0012", Decimal("1200000.00"))
    ]
    assert conn.execute(
        "select month, cumulative_yuan, forecast_yuan from spending order by month"
    ).fetchall() == [(1, Decimal("100000.00"), Decimal("1150000.00")),
                     (2, Decimal("160000.00"), None)]  # fmt: skip
    assert conn.execute("select operator, target_value from indicators").fetchall() == [
        ("≥", Decimal("375.000000"))
    ]
    assert conn.execute("select standard_unit_cost_yuan from cost_standards").fetchall() == [
        (Decimal("0.3200"),)
    ]
    assert conn.execute("select feedback_date, done_date from rectifications").fetchall() == [
        (dt.date(2025, 3, 1), None)
    ]
    assert conn.execute(
        "select year, project_code, department_code, requested_amount_yuan, "
        "planned_output_quantity, output_unit, is_new from budget_requests"
    ).fetchall() == [(2026, "0012", "D01", Decimal("1300000.00"), Decimal("3750000.000000"),
                      "平方米", False)]  # fmt: skip


def test_empty_template_is_refused_as_empty():
    with pytest.raises(ImportRejected, match="没有数据行"):
        import_files(new_db(), [("template.xlsx", template_workbook_bytes())])
