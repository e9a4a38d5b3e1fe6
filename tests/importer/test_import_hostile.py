"""Odd and hostile files (issue 9): each is refused in plain words naming the place, with
nothing written, or read correctly — never a crash, a hang, a traceback or a silent loss.
Every file is built here, in code."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from perfbudget import settings_store
from perfbudget.importer import import_files
from perfbudget.importer.errors import IssueLog
from perfbudget.importer.limits import MB, Limits
from perfbudget.importer.readers import read_workbook
from perfbudget.importer.sandbox import isolation_available
from tests.import_helpers import (
    PROJECT_HEADER,
    csv_bytes,
    find_issue,
    new_db,
    rejected,
    scalar,
    seed_projects,
)

EXEC_HEADER = ["年度", "月份", "项目编码", "本期支出"]
needs_isolation = pytest.mark.skipif(not isolation_available(), reason="reads in a child (Linux)")


@pytest.fixture
def conn():
    c = new_db()
    seed_projects(c, [[2025, "P1", "甲", "财政局", 1200000]])
    yield c
    c.close()


def _project_rows(n: int) -> list[list[object]]:
    return [[2025, f"X{i:03d}", f"项目{i}", "财政局", 1000 + i] for i in range(1, n + 1)]


def _workbook(build) -> bytes:
    wb = openpyxl.Workbook()
    build(wb.active)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- sheets whose range is far larger than their content --------------------------------


def test_a_far_away_cell_with_a_value_is_refused_naming_it_and_nothing_is_written(conn):
    def build(ws):
        ws.append(PROJECT_HEADER)
        ws.append([2025, "P2", "乙", "财政局", 5])
        ws["XFD1048576"] = "x"

    data = _workbook(build)
    assert len(data) < 10_000  # a tiny file that would make the reader ask for ~550 GB
    exc = rejected(conn, [("far.xlsx", data)])
    issue = find_issue(exc, file="far.xlsx", sheet="Sheet", row=None, column=None,
                       zh="XFD1048576", en="XFD1048576")  # fmt: skip
    assert "1,048,576行 × 16,384列" in issue.message_zh
    assert "delete what lies outside the table" in issue.message_en


def test_a_whole_row_and_column_formatted_is_read_by_its_content(conn):
    def build(ws):
        ws.append(PROJECT_HEADER)
        ws.append([2025, "P2", "乙", "财政局", 5])
        ws["XFD1048576"].fill = openpyxl.styles.PatternFill("solid", fgColor="FFFF00")
        ws["XFD1"].number_format = "0.00"

    result = import_files(conn, [("styled.xlsx", _workbook(build))])
    assert result.files[0].row_counts == {"projects": 1}
    assert any("A1:XFD1048576" in n and "A1:E2" in n for n in result.files[0].notes)
    assert scalar(conn, "select adjusted_budget_yuan from projects where project_code = 'P2'") == 5


@needs_isolation
def test_a_reader_that_runs_out_of_memory_ends_in_a_message_and_this_process_lives():
    # The sheet declares a small range (so the range check lets it through) but holds a
    # value at CV1048576: the reader allocates ~4.6 GB and dies in its child, under the cap.
    def build(ws):
        ws.append(PROJECT_HEADER)
        ws["CV1048576"] = 1

    data = _workbook(build)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(b'<dimension ref="A1:CV1048576"/>',
                                                      b'<dimension ref="A1:E1"/>')  # fmt: skip
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    log = IssueLog("oom.xlsx")
    book = read_workbook("oom.xlsx", out.getvalue(), log, Limits(memory_bytes=200 * MB))
    assert book is None
    assert "内存超过上限" in log.issues[0].message_zh
    assert "more memory than the limit" in log.issues[0].message_en


def test_a_zip_bomb_is_refused_from_its_directory_before_it_is_inflated(conn):
    data = _workbook(lambda ws: ws.append(PROJECT_HEADER))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
        zf.writestr("xl/media/padding.xml", b"0" * (30 * MB))  # 30 MB in ~30 KB
    exc = rejected(conn, [("bomb.xlsx", out.getvalue())])
    issue = find_issue(exc, file="bomb.xlsx", sheet=None, row=None, column=None,
                       zh="压缩比", en="compression ratio")  # fmt: skip
    assert "30.0 MB" in issue.message_zh


def test_the_sum_of_uncompressed_members_has_its_own_limit():
    data = _workbook(lambda ws: ws.append(PROJECT_HEADER))
    log = IssueLog("big.xlsx")
    assert read_workbook("big.xlsx", data, log, Limits(max_uncompressed_bytes=1000)) is None
    assert "超过上限1.0 KB" in log.issues[0].message_zh


# --- size, rows, time ----------------------------------------------------------------------


def test_a_file_over_the_size_setting_is_refused_with_both_figures(conn):
    settings_store.save_thresholds(conn, {("import", "max_file_mb"): 1})
    rows = [[2025, 1, "P1", 1]] * 120_000  # about 1.4 MB
    data = csv_bytes([EXEC_HEADER, *rows])
    exc = rejected(conn, [("big.csv", data)])
    issue = find_issue(exc, file="big.csv", sheet=None, row=None, column=None,
                       zh="超过上限1.0 MB", en="over the limit of 1.0 MB")  # fmt: skip
    assert f"{len(data) / MB:.1f} MB" in issue.message_zh


def test_a_path_over_the_size_setting_is_refused_before_it_is_read(conn, tmp_path):
    settings_store.save_thresholds(conn, {("import", "max_file_mb"): 1})
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:  # sparse: 5 MB on paper, nothing on disk
        f.truncate(5 * MB)
    exc = rejected(conn, [path])
    find_issue(exc, file="huge.csv", sheet=None, row=None, column=None,
               zh="文件大小为5.0 MB", en="the file is 5.0 MB")  # fmt: skip


def test_a_sheet_over_the_row_setting_is_refused(conn):
    settings_store.save_thresholds(conn, {("import", "max_rows"): 10})
    exc = rejected(conn, [("rows.csv", csv_bytes([PROJECT_HEADER, *_project_rows(20)]))])
    find_issue(exc, file="rows.csv", sheet=None, row=None, column=None,
               zh="超过10行的上限", en="more than 10 rows")  # fmt: skip
    exc = rejected(conn, [("rows.xlsx", _workbook(
        lambda ws: [ws.append(r) for r in [PROJECT_HEADER, *_project_rows(20)]]))])  # fmt: skip
    find_issue(exc, file="rows.xlsx", sheet="Sheet", row=None, column=None,
               zh="超过上限（最多10行", en="over the limits (10 rows")  # fmt: skip


@needs_isolation
def test_a_read_over_the_time_limit_is_stopped_with_a_message():
    data = b"a,b\n" + b"1,2\n" * 2_000_000  # ~1 s or more to check every record
    log = IssueLog("slow.csv")
    limits = Limits(parse_seconds=0.05, max_rows=10**7, max_file_bytes=100 * MB)
    assert read_workbook("slow.csv", data, log, limits) is None
    assert "超过0.05秒的时间上限" in log.issues[0].message_zh
    assert "longer than the limit of 0.05 s" in log.issues[0].message_en


# --- CSV records ---------------------------------------------------------------------------


def test_an_unclosed_quote_in_a_last_column_is_refused_at_its_row_not_merged(conn):
    lines = [",".join(PROJECT_HEADER)]
    lines += [f"2025,X{i:03d},项目{i},财政局,{1000 + i}" for i in range(1, 21)]
    lines[5] = lines[5].replace(",1005", ',"1005')  # row 6 opens a quote in its last cell
    data = ("\r\n".join(lines) + "\r\n").encode()
    exc = rejected(conn, [("quote.csv", data)])
    find_issue(exc, file="quote.csv", sheet=None, row=6, column=None,
               zh="引号没有闭合，直到文件末尾", en="a quote is opened and never closed")  # fmt: skip
    assert len(exc.issues) == 1


def test_rows_swallowed_between_two_stray_quotes_are_refused_at_the_first(conn):
    lines = [",".join(PROJECT_HEADER)]
    lines += [f"2025,X{i:03d},项目{i},财政局,{1000 + i}" for i in range(1, 21)]
    lines[5] = lines[5].replace(",1005", ',"1005')  # row 6 opens a quote in its last cell
    lines[9] = lines[9].replace(",1009", ',1009"')  # row 10 happens to close it
    data = ("\r\n".join(lines) + "\r\n").encode()
    exc = rejected(conn, [("quote.csv", data)])
    issue = find_issue(exc, file="quote.csv", sheet=None, row=6, column="E",
                       zh="引号没有闭合", en="a quote is not closed")  # fmt: skip
    assert "其后4行" in issue.message_zh  # rows 7–10 would have been one cell


def test_an_unclosed_quote_in_a_large_file_is_a_refusal_not_a_traceback(conn):
    rows = [f"2025,X{i:06d},项目{i},财政局,{1000 + i}" for i in range(1, 8001)]
    rows[99] = rows[99].replace(",项目100,", ',"项目100,')
    data = ("\r\n".join([",".join(PROJECT_HEADER), *rows]) + "\r\n").encode()
    exc = rejected(conn, [("long.csv", data)])
    assert len(exc.issues) == 1
    issue = exc.issues[0]
    assert issue.row == 101
    assert "引号" in issue.message_zh and "quote" in issue.message_en
    assert "Traceback" not in str(exc) and "_csv.Error" not in str(exc)


def test_a_quote_left_open_to_the_end_of_the_file_is_refused(conn):
    data = ",".join(PROJECT_HEADER).encode() + b'\r\n2025,X1,"open,fin,5\r\n'
    exc = rejected(conn, [("eof.csv", data)])
    find_issue(exc, file="eof.csv", sheet=None, row=2, column=None,
               zh="引号没有闭合，直到文件末尾", en="never closed")  # fmt: skip


def test_a_quoted_cell_with_a_line_break_is_still_read():
    conn = new_db()
    data = (
        ",".join([*PROJECT_HEADER, "项目类别"])
        + '\r\n2025,X1,"绿化\r\n养护",财政局,5,运行维护类\r\n'
    ).encode()
    import_files(conn, [("multi.csv", data)])
    assert scalar(conn, "select project_name from projects") == "绿化\r\n养护"


def test_a_record_with_more_or_fewer_fields_than_its_header_is_refused_at_its_row(conn):
    data = ("\r\n".join([
        ",".join(PROJECT_HEADER),
        "2025,X1,一,财政局,5",
        "2025,X2,二,财政局,6,7",  # a stray value: every later field shifted
        "2025,X3,三,财政局",  # one field short
        "2025,X4,四,财政局,8,,",  # trailing empty fields are a spreadsheet's habit: fine
    ]) + "\r\n").encode()  # fmt: skip
    exc = rejected(conn, [("ragged.csv", data)])
    find_issue(exc, file="ragged.csv", sheet=None, row=3, column=None,
               zh="该行有6个字段，表头只有5个", en="the row has 6 fields but the header 5")  # fmt: skip
    find_issue(exc, file="ragged.csv", sheet=None, row=4, column=None,
               zh="该行只有4个字段，表头有5个", en="the row has 4 fields but the header 5")  # fmt: skip
    assert not any(i.row == 5 for i in exc.issues)


def test_an_over_long_cell_is_refused_at_its_row(conn):
    data = csv_bytes([PROJECT_HEADER, [2025, "X1", "名" * 40_000, "财政局", 5]])
    exc = rejected(conn, [("long.csv", data)])
    find_issue(exc, file="long.csv", sheet=None, row=2, column=None,
               zh="超过32,767个字符", en="longer than 32,767 characters")  # fmt: skip


# --- encodings -----------------------------------------------------------------------------

_TRADITIONAL = [["年度", "項目編碼", "項目名稱", "主管部門", "調整後預算數"],
                [2025, "X1", "綠化養護項目", "區綠化和市容管理局", 5]]  # fmt: skip
_SIMPLIFIED = [PROJECT_HEADER, [2025, "X1", "道路养护", "区建管委", 5]]


@pytest.mark.parametrize(("encoding", "zh", "en"), [
    ("big5", "Big5", "Big5"),
    ("shift_jis", "Shift-JIS", "Shift-JIS"),
])  # fmt: skip
def test_big5_and_shift_jis_are_refused_naming_the_encoding_and_how_to_save(conn, encoding, zh, en):
    rows = _TRADITIONAL if encoding == "big5" else [
        ["年度", "コード", "名称", "部門", "予算"], [2025, "X1", "プロジェクト管理", "ぎょうせい", 5]]  # fmt: skip
    exc = rejected(conn, [("enc.csv", csv_bytes(rows, encoding))])
    issue = find_issue(exc, file="enc.csv", sheet=None, row=None, column=None, zh=zh, en=en)
    assert "CSV UTF-8(逗号分隔)" in issue.message_zh and "WPS" in issue.message_zh
    assert "File → Save As" in issue.message_en


def test_utf16_without_a_bom_is_refused_as_utf16_not_as_not_a_spreadsheet(conn):
    exc = rejected(conn, [("u16.csv", csv_bytes(_SIMPLIFIED, "utf-16-le"))])
    find_issue(exc, file="u16.csv", sheet=None, row=None, column=None,
               zh="没有字节顺序标记（BOM）的 UTF-16", en="UTF-16 without a byte-order mark")  # fmt: skip


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gbk", "gb18030"])
def test_the_accepted_encodings_read_the_names_right(encoding):
    # the short GBK file is one a detector alone calls Korean (cp949)
    conn = new_db()
    import_files(conn, [("ok.csv", csv_bytes(_SIMPLIFIED, encoding))])
    assert scalar(conn, "select project_name from projects") == "道路养护"
    assert scalar(conn, "select department_name from departments") == "区建管委"


# --- cells the readers turn into blanks, and values out of range ---------------------------


def test_excel_error_cells_and_formulas_without_results_are_named_at_their_cell(conn):
    def build(ws):
        ws.append(EXEC_HEADER)
        ws.append([2025, 1, "P1", "#DIV/0!"])
        ws.append([2025, 2, "P1", "=SUM(1,2)"])  # openpyxl saves no cached result
        ws.append([2025, 3, "P1", 7])

    exc = rejected(conn, [("cells.xlsx", _workbook(build))])
    find_issue(exc, file="cells.xlsx", sheet="Sheet", row=2, column="本期支出",
               zh="Excel错误值「#DIV/0!」", en="the Excel error '#DIV/0!'")  # fmt: skip
    find_issue(exc, file="cells.xlsx", sheet="Sheet", row=3, column="本期支出",
               zh="公式「=SUM(1,2)」，但文件中没有保存计算结果", en="saved without its result")  # fmt: skip
    assert not any(i.row == 4 for i in exc.issues)


def test_a_password_protected_workbook_is_named_as_such(conn):
    # An encrypted .xlsx is an OLE compound file holding an 'EncryptedPackage' stream.
    ole = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000
           + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 1000)  # fmt: skip
    exc = rejected(conn, [("secret.xlsx", ole)])
    find_issue(exc, file="secret.xlsx", sheet=None, row=None, column=None,
               zh="设有打开密码", en="password-protected")  # fmt: skip


def test_a_huge_number_is_shown_short_and_inf_is_named(conn):
    data = csv_bytes([EXEC_HEADER, [2025, 1, "P1", "1" + "0" * 308], [2025, 2, "P1", "inf"]])
    exc = rejected(conn, [("num.csv", data)])
    issue = find_issue(exc, file="num.csv", sheet=None, row=2, column="本期支出",
                       zh="「1e+308」过大", en="'1e+308' is too large")  # fmt: skip
    assert "0" * 30 not in issue.text()
    find_issue(exc, file="num.csv", sheet=None, row=3, column="本期支出",
               zh="不是有效数字（无穷大", en="not a valid number (infinite")  # fmt: skip


@pytest.mark.parametrize(("raw", "zh", "en"), [
    ("2025-03-01T25:00", "时间不存在", "a time that does not exist"),
    ("1900-01-01", "不在2000–2100年之间（1900年", "is not between 2000 and 2100 (a date in 1900"),
    ("2999-12-31", "不在2000–2100年之间", "is not between 2000 and 2100"),
])  # fmt: skip
def test_dates_and_times_out_of_range_are_refused_at_their_cell(conn, raw, zh, en):
    data = csv_bytes([["项目编码", "问题", "反馈日期"], ["P1", "资料不全", raw]])
    exc = rejected(conn, [("rect.csv", data)])
    find_issue(exc, file="rect.csv", sheet=None, row=2, column="反馈日期", zh=zh, en=en)


def test_a_file_read_in_the_child_comes_back_cell_for_cell():
    log = IssueLog("a.csv")
    book = read_workbook("a.csv", csv_bytes(_SIMPLIFIED), log)
    assert not log.issues
    assert book is not None and book.format == "csv" and book.encoding == "utf-8"
    assert [col[1] for col in book.sheets[0].columns] == ["2025", "X1", "道路养护", "区建管委", "5"]
    assert book.sheets[0].field_counts == [5, 5]


def test_a_self_evaluation_table_with_a_score_formula_saved_without_its_result_is_refused(conn):
    from tests.form_helpers import SELFEVAL_INDICATORS, selfeval_grid, xlsx

    rows = [*SELFEVAL_INDICATORS]
    first = list(rows[0])
    first[6] = "=F12*0.9"  # 得分 as a formula that a program saved without computing it
    rows[0] = tuple(first)
    exc = rejected(conn, [("form.xlsx", xlsx(("表", selfeval_grid(indicators=rows))))])
    # funding rows 5–8, goals 9–10, indicator header 11, the first indicator on row 12
    find_issue(exc, file="form.xlsx", sheet="表", row=12, column="得分",
               zh="公式「=F12*0.9」，但文件中没有保存计算结果", en="saved without its result")  # fmt: skip
