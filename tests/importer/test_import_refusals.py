"""Bad input is refused with messages naming file, sheet, row and column in Chinese and
English, and the database is left exactly as it was — across all files of one call."""

from __future__ import annotations

import io
import zipfile

import pytest

from perfbudget.importer import ImportIssue, ImportRejected, import_files
from perfbudget.importer.errors import MAX_ISSUES_PER_FILE
from tests.import_helpers import (
    counts,
    csv_bytes,
    find_issue,
    new_db,
    rejected,
    seed_projects,
    xlsx_bytes,
)

EXEC_HEADER = ["年度", "月份", "项目编码", "本期支出"]


@pytest.fixture
def conn():
    c = new_db()
    seed_projects(c, [[2025, "P1", "甲", "财政局", 1200000]])
    yield c
    c.close()


def test_issue_text_names_the_place_in_both_languages():
    issue = ImportIssue(
        "a.xlsx", "执行", 7, "本期支出", "「约30万」不是数字", "'约30万' is not a number"
    )
    assert issue.text() == (
        "文件「a.xlsx」 / 工作表「执行」 / 第7行 / 列「本期支出」：「约30万」不是数字 | "
        "file 'a.xlsx', sheet '执行', row 7, column '本期支出': '约30万' is not a number"
    )
    exc = ImportRejected([issue, issue])
    assert str(exc).splitlines() == [issue.text(), issue.text()]


def test_missing_required_column(conn):
    data = xlsx_bytes(("项目", [["年度", "项目编码", "项目名称", "调整后预算数"],
                               [2025, "P9", "甲", 1]]))  # fmt: skip
    exc = rejected(conn, [("p.xlsx", data)])
    find_issue(exc, file="p.xlsx", sheet="项目", row=1, column="主管部门", zh="缺少必填列",
               en="required column")  # fmt: skip


def test_missing_one_of_two_columns(conn):
    data = csv_bytes([["年度", "项目编码", "本期支出"], [2025, "P1", 1]])
    exc = rejected(conn, [("e.csv", data)])
    find_issue(exc, file="e.csv", sheet=None, row=1, column="月份/季度", zh="须有其一",
               en="one of the columns")  # fmt: skip


def test_non_number_in_a_number_cell_and_all_issues_collected(conn):
    data = xlsx_bytes(("执行", [
        ["2025年执行表"],
        EXEC_HEADER,
        [2025, 1, "P1", "约30万"],
        [2025, 2, "P1", "10"],
        [2025, 3, "P1", "N/A"],
    ]))  # fmt: skip
    exc = rejected(conn, [("x.xlsx", data)])
    find_issue(exc, file="x.xlsx", sheet="执行", row=3, column="本期支出", zh="「约30万」不是数字",
               en="'约30万' is not a number")  # fmt: skip
    find_issue(exc, file="x.xlsx", sheet="执行", row=5, column="本期支出", zh="不是数字",
               en="not a number")  # fmt: skip
    assert len(exc.issues) == 2


def test_a_column_letter_names_a_cell_without_header(conn):
    from perfbudget.importer.columns import column_letter

    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A", "Z", "AA", "AB", "ZZ", "AAA",
    ]  # fmt: skip


def test_issues_are_capped_per_file(conn):
    rows = [[2025, 1, "P1", f"约{i}万"] for i in range(MAX_ISSUES_PER_FILE + 50)]
    exc = rejected(conn, [("many.csv", csv_bytes([EXEC_HEADER, *rows]))])
    assert len(exc.issues) == MAX_ISSUES_PER_FILE + 1
    assert "另有50处问题未列出" in exc.issues[-1].message_zh
    assert "50 more issues" in exc.issues[-1].message_en


def test_empty_files(conn):
    exc = rejected(conn, [("empty.csv", b"")])
    find_issue(exc, file="empty.csv", sheet=None, row=None, column=None, zh="文件为空",
               en="empty")  # fmt: skip
    exc = rejected(conn, [("blank.xlsx", xlsx_bytes(("Sheet1", [])))])
    find_issue(exc, file="blank.xlsx", sheet=None, row=None, column=None, zh="文件为空",
               en="empty")  # fmt: skip
    exc = rejected(conn, [("header_only.csv", csv_bytes([EXEC_HEADER]))])
    find_issue(exc, file="header_only.csv", sheet=None, row=None, column=None,
               zh="没有数据行", en="no data rows")  # fmt: skip


def test_files_that_are_not_spreadsheets(conn):
    pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x00 stream binary"
    exc = rejected(conn, [("report.pdf", pdf)])
    find_issue(exc, file="report.pdf", sheet=None, row=None, column=None,
               zh="不是电子表格", en="not a spreadsheet")  # fmt: skip
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    exc = rejected(conn, [("memo.docx", buf.getvalue())])
    find_issue(exc, file="memo.docx", sheet=None, row=None, column=None,
               zh="不是电子表格", en="not a spreadsheet")  # fmt: skip
    broken_ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    exc = rejected(conn, [("old.xls", broken_ole)])
    find_issue(exc, file="old.xls", sheet=None, row=None, column=None,
               zh="不是电子表格", en="not a spreadsheet")  # fmt: skip


def test_text_that_is_no_template_table(conn):
    exc = rejected(conn, [("notes.csv", b"hello,world\nfoo,bar\n")])
    find_issue(exc, file="notes.csv", sheet=None, row=None, column=None,
               zh="未找到可识别的表头", en="no recognisable header")  # fmt: skip


def test_unreadable_encoding(conn):
    data = "年度,月份,项目编码,本期支出\n".encode() + b"2025,1,P1,\xff\xfe\xff\n"
    exc = rejected(conn, [("enc.csv", data)])
    find_issue(exc, file="enc.csv", sheet=None, row=None, column=None, zh="编码",
               en="encoding")  # fmt: skip


def test_one_bad_file_refuses_the_whole_call(conn):
    good = csv_bytes([EXEC_HEADER, [2025, 1, "P1", 5]])
    bad = csv_bytes([EXEC_HEADER, [2025, 1, "P1", "五"]])
    before = counts(conn)
    with pytest.raises(ImportRejected) as err:
        import_files(conn, [("good.csv", good), ("bad.csv", bad)])
    assert counts(conn) == before
    assert {i.file for i in err.value.issues} == {"bad.csv"}


def test_a_database_error_while_writing_rolls_everything_back(conn, monkeypatch):
    from perfbudget.importer import load

    good = csv_bytes([EXEC_HEADER, [2025, 1, "P1", 5]])
    calls = []

    def failing_costs(c, data, batch_id):
        calls.append(batch_id)
        if len(calls) == 2:  # the second file fails after the first was written
            c.execute("select error('disk full')")
        return 0

    monkeypatch.setattr(load, "write_costs", failing_costs)
    before = counts(conn)
    with pytest.raises(ImportRejected) as err:
        import_files(conn, [("a.csv", good), ("b.csv", good)])
    assert "disk full" in str(err.value)
    assert counts(conn) == before


def test_refused_reimport_leaves_the_earlier_data(conn):
    import_files(conn, [("v1.csv", csv_bytes([EXEC_HEADER, [2025, 1, "P1", 5]]))])
    before = counts(conn)
    rejected(conn, [("v2.csv", csv_bytes([EXEC_HEADER, [2025, 1, "P1", 6], [2025, 1, "P1", 7]]))])
    assert counts(conn) == before
    assert conn.execute("select cumulative_yuan from spending").fetchall()[0][0] == 5


def test_amounts_too_large_for_the_database_are_refused(conn):
    data = csv_bytes([["年度", "月份", "项目编码", "本期支出（万元）"],
                      [2025, 1, "P1", "9999999999999"], [2025, 2, "P1", "1e40"]])  # fmt: skip
    exc = rejected(conn, [("big.csv", data)])
    find_issue(exc, file="big.csv", sheet=None, row=2, column="本期支出（万元）", zh="过大",
               en="too large")  # fmt: skip
    find_issue(exc, file="big.csv", sheet=None, row=3, column="本期支出（万元）", zh="过大",
               en="too large")  # fmt: skip
