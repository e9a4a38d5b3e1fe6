"""Where a table sits in a sheet does not change what is read or how rows are numbered:
tables that start lower or further right, old .xls workbooks, unrecognised extra sheets."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest

from perfbudget.importer import import_files
from tests.import_helpers import find_issue, new_db, rejected, seed_projects, xlsx_bytes


@pytest.fixture
def conn():
    c = new_db()
    seed_projects(c, [[2025, "P1", "甲", "财政局", 1200000]])
    yield c
    c.close()


def _offset_workbook(rows, top=3, left=3) -> bytes:
    """rows written from row `top`, column `left` (1-based), leaving A1:B2 empty."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "执行"
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is not None:
                ws.cell(row=top + r, column=left + c, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_table_starting_at_c3_reports_excel_row_numbers(conn):
    data = _offset_workbook([
        ["年度", "月份", "项目编码", "本期支出"],
        [2025, 1, "P1", 5, "stray note"],
        [2025, 2, "P1", "约30万"],
    ])  # fmt: skip
    exc = rejected(conn, [("offset.xlsx", data)])
    # the header is on row 3, so the bad cell is on row 5
    find_issue(exc, file="offset.xlsx", sheet="执行", row=5, column="本期支出", zh="不是数字",
               en="not a number")  # fmt: skip


def test_an_unheaded_column_is_named_by_its_letter(conn):
    data = _offset_workbook([
        ["年度", "月份", "项目编码", "本期支出"],
        [2025, 1, "P1", 5, "stray note"],
    ])  # fmt: skip
    result = import_files(conn, [("offset.xlsx", data)])
    # columns C–F hold the table; the note sits in column G
    assert result.files[0].ignored_columns == ["列G（无表头）"]
    assert result.to_frame()["header_row"].tolist() == [3]


def test_an_extra_sheet_that_is_no_table_is_noted_not_refused(conn):
    data = xlsx_bytes(
        ("封面", [["2025年预算执行情况"], ["填报单位：财政局"]]),
        ("执行", [["年度", "月份", "项目编码", "本期支出"], [2025, 1, "P1", 5]]),
    )  # fmt: skip
    result = import_files(conn, [("two.xlsx", data)])
    assert result.files[0].row_counts == {"execution": 1}
    assert any("封面" in n and "not a template table" in n for n in result.files[0].notes)


def test_old_xls_workbooks_are_read_like_xlsx(conn):
    xlwt = pytest.importorskip("xlwt")
    wb = xlwt.Workbook()
    ws = wb.add_sheet("项目")
    rows = [["单位：万元"], ["年度", "项目编码", "项目名称", "主管部门", "调整后预算数"],
            [2025, "0012", "甲", "财政局", 12.3456], [2025, 1001.0, "乙", "财政局", 1]]  # fmt: skip
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.write(r + 2, c + 1, value)  # from B3
    ws2 = wb.add_sheet("整改")
    for c, value in enumerate(["项目编码", "问题", "反馈日期"]):
        ws2.write(0, c, value)
    ws2.write(1, 0, "0012")
    ws2.write(1, 1, "进度慢")
    ws2.write(1, 2, dt.date(2025, 3, 1), xlwt.easyxf(num_format_str="yyyy-mm-dd"))
    out = io.BytesIO()
    wb.save(out)
    result = import_files(conn, [("old.xls", out.getvalue())])
    assert result.files[0].row_counts == {"projects": 2, "rectifications": 1}
    assert conn.execute(
        "select project_code, adjusted_budget_yuan from projects where project_code <> 'P1' "
        "order by 1"
    ).fetchall() == [("0012", Decimal("123456.00")), ("1001", Decimal("10000.00"))]
    assert conn.execute("select feedback_date from rectifications").fetchall() == [
        (dt.date(2025, 3, 1),)
    ]
    assert result.to_frame()["header_row"].tolist() == [4, 1]
