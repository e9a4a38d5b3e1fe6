"""Bytes → sheets of raw text cells. Spreadsheets (.xlsx, .xls) are read with fastexcel,
every column as a string so that codes keep their leading zeros; CSV text is read strictly
(importer/csv_text.py: UTF-8, UTF-16 with BOM or GB18030, every record checked).

`read_workbook` is what the importer calls: it checks the file's size, then reads it in a
child process with a memory and a time limit (importer/sandbox.py) — the native readers
abort the whole process on some hostile files, and a zip bomb or a sparse sheet can ask for
gigabytes — after the checks of importer/xlsx_guard.py. `read_raw` is the reading itself."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

from perfbudget.importer.errors import IssueLog
from perfbudget.importer.limits import DEFAULT_LIMITS, Limits, size_text
from perfbudget.importer.xlsx_guard import (
    Refusal,
    column_index,
    fit_sheets,
    marked_cells,
    sheet_paths,
)

XLSX, XLS, CSV = "xlsx", "xls", "csv"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"
# An encrypted .xlsx is an OLE file holding the real workbook in this stream (UTF-16 name).
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

Issue = tuple[str | None, int | None, str | None, str, str]  # sheet, row, column, zh, en


@dataclass
class Sheet:
    """One sheet's cells as text, column by column. Row i of every column is the sheet's row
    i + 1 as Excel numbers it; col_offset is the 0-based index of the first column read
    (a sheet whose columns A and B are empty starts at C).

    marks: cells the reader gives as empty that are not — (row, absolute column) → the
    Excel error value ('#DIV/0!') or the formula saved without a result ('=SUM(…)').
    field_counts (CSV only): how many fields each record had, as written."""

    name: str | None  # None for a CSV
    columns: list[list[str | None]]
    n_rows: int
    col_offset: int = 0
    marks: dict[tuple[int, int], str] = field(default_factory=dict)
    field_counts: list[int] | None = None


@dataclass
class Workbook:
    file_name: str
    content: bytes
    format: str  # xlsx, xls or csv
    sheets: list[Sheet]
    encoding: str | None = None  # CSV only
    notes: list[str] = field(default_factory=list)


_NOT_SPREADSHEET_ZH = "不是电子表格或CSV文件（可导入 .xlsx、.xls、.csv）"
_NOT_SPREADSHEET_EN = "not a spreadsheet or CSV file (.xlsx, .xls and .csv are accepted)"
_PASSWORD_ZH = (
    "文件设有打开密码，无法读取：请在 Excel 或 WPS 中打开，选「文件 → 信息 → 保护工作簿 → "
    "用密码进行加密」（WPS：「文件 → 文档加密 → 密码加密」），清空密码并保存后再导入"
)
_PASSWORD_EN = (
    "the file is password-protected and cannot be read: open it in Excel or WPS, "
    "remove the password (Excel: File → Info → Protect Workbook → Encrypt with "
    "Password; WPS: File → Document Encryption → Password Encryption), save, and "
    "import again"
)


def read_workbook(
    file_name: str, content: bytes, log: IssueLog, limits: Limits | None = None
) -> Workbook | None:
    """Read a file into sheets, or add its issues to the log and return None."""
    limits = limits or DEFAULT_LIMITS
    if not content or not content.strip():
        log.add(None, None, None, "文件为空", "the file is empty")
        return None
    if len(content) > limits.max_file_bytes:
        log.add(None, None, None,
                f"文件大小为{size_text(len(content))}，超过上限{size_text(limits.max_file_bytes)}"
                "（可在「规则设置」中调整，或拆分后分别导入）",
                f"the file is {size_text(len(content))}, over the limit of "
                f"{size_text(limits.max_file_bytes)} (change it on the Settings page, or split "
                "the file and import the parts)")  # fmt: skip
        return None
    # sandbox imports this module (its children call read_raw)
    from perfbudget.importer.sandbox import read_isolated

    book, issues = read_isolated(file_name, content, limits)
    for sheet, row, column, zh, en in issues:
        log.add(sheet, row, column, zh, en)
    return book


def read_raw(file_name: str, content: bytes, limits: Limits) -> tuple[Workbook | None, list[Issue]]:
    """The reading itself (in the child): the workbook, or None and why."""
    try:
        return _read(file_name, content, limits), []
    except Refusal as refusal:
        return None, [(refusal.sheet, refusal.row, refusal.column, refusal.message_zh,
                       refusal.message_en)]  # fmt: skip


def _read(file_name: str, content: bytes, limits: Limits) -> Workbook:
    if content.startswith(_ZIP_MAGIC):
        if not _is_xlsx(content):
            raise Refusal(_NOT_SPREADSHEET_ZH, _NOT_SPREADSHEET_EN)

        readable, notes = fit_sheets(content, limits)
        book = _read_excel(file_name, content, readable, XLSX, limits)
        book.notes[:0] = notes
        return book
    if content.startswith(_OLE_MAGIC):
        if _ENCRYPTED_PACKAGE in content[: 1 << 20] or _ENCRYPTED_PACKAGE in content[-(1 << 20) :]:
            raise Refusal(_PASSWORD_ZH, _PASSWORD_EN)
        return _read_excel(file_name, content, content, XLS, limits)
    return _read_csv(file_name, content, limits)


def _is_xlsx(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False


def _read_excel(file_name: str, content: bytes, readable: bytes, fmt: str,
                limits: Limits) -> Workbook:  # fmt: skip
    # the reader is needed where files are read (the sandbox's children), not in the
    # dashboard's process, which it would cost ~0.3 s to start and its native memory
    import fastexcel

    try:
        reader = fastexcel.read_excel(readable)
    except Exception as exc:  # fastexcel raises its own error types for any unreadable file
        if "password" in str(exc).lower() or "encrypt" in str(exc).lower():
            raise Refusal(_PASSWORD_ZH, _PASSWORD_EN) from None
        raise Refusal(
            _NOT_SPREADSHEET_ZH + "，或文件已损坏", _NOT_SPREADSHEET_EN + ", or the file is damaged"
        ) from None
    marks = _marks_by_sheet(readable) if fmt == XLSX else {}
    book = Workbook(file_name, content, fmt, [])
    for name in reader.sheet_names:
        try:
            sheet = reader.load_sheet(
                name, header_row=None, skip_rows=0, dtypes="string", dtype_coercion="coerce"
            )
            if getattr(sheet, "visible", "visible") != "visible":
                if sheet.height:
                    book.notes.append(
                        f"隐藏的工作表「{name}」未导入 | hidden sheet '{name}' was not imported"
                    )
                continue
            if sheet.width == 0 or sheet.height == 0:
                book.sheets.append(Sheet(name, [], 0))
                continue
            if (sheet.height > limits.max_rows or sheet.width > limits.max_columns
                    or sheet.height * sheet.width > limits.max_cells):  # fmt: skip
                raise Refusal(
                    f"工作表有{sheet.height:,}行、{sheet.width:,}列，超过上限（最多"
                    f"{limits.max_rows:,}行、{limits.max_columns:,}列、{limits.max_cells:,}个单元格）"
                    "：请拆分后分别导入",
                    f"the sheet has {sheet.height:,} rows and {sheet.width:,} columns, over "
                    f"the limits ({limits.max_rows:,} rows, {limits.max_columns:,} columns, "
                    f"{limits.max_cells:,} cells): split it and import the parts", name,
                )  # fmt: skip
            batch = sheet.to_arrow()
            offset = sheet.available_columns()[0].absolute_index
        except Refusal:
            raise
        except Exception as exc:
            raise Refusal(
                f"工作表无法读取（{type(exc).__name__}）",
                f"the sheet cannot be read ({type(exc).__name__})",
                name,
            ) from None
        columns = [col.to_pylist() for col in batch.columns]
        book.sheets.append(Sheet(name, columns, batch.num_rows, offset, marks.get(name, {})))
    return book


def _marks_by_sheet(content: bytes) -> dict[str, dict[tuple[int, int], str]]:

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            return {name: found for name, path in sheet_paths(zf).items()
                    if (found := marked_cells(zf, path))}  # fmt: skip
    except zipfile.BadZipFile:
        return {}


def _read_csv(file_name: str, content: bytes, limits: Limits) -> Workbook:
    # csv_text's checks are needed only for a CSV
    from perfbudget.importer.csv_text import read_records

    records = read_records(content, limits)
    rows = len(records.field_counts)
    sheet = Sheet(None, records.columns, rows, 0, field_counts=records.field_counts)
    return Workbook(file_name, content, CSV, [sheet], encoding=records.encoding)


# --- percent-formatted cells (xlsx only) -------------------------------------------------
# fastexcel gives a cell's value, not its number format; a cell shown as 96% holds 0.96.
# For the few columns where that matters (indicator values with unit %) the sheet's XML is
# scanned for cells whose style has a percent format.

_CELL = re.compile(rb"<c\b([^>]*?)/?>")
_ATTR = re.compile(rb'\b(r|s|t)="([^"]*)"')
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_PERCENT_BUILTIN = {9, 10}


def _is_percent_format(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", code)
    return "%" in code


def percent_cells(content: bytes, sheet_name: str) -> set[tuple[int, int]]:
    """(0-based row, 0-based column) of every numeric cell of the sheet whose number
    format shows a percentage. Empty when the file is not an xlsx or anything is missing."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            path = _sheet_path(zf, sheet_name)
            percent_styles = _percent_styles(zf)
            if path is None or not percent_styles:
                return set()
            xml = zf.read(path)
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return set()
    found: set[tuple[int, int]] = set()
    for match in _CELL.finditer(xml):
        attrs = dict(_ATTR.findall(match.group(1)))
        style, ref = attrs.get(b"s"), attrs.get(b"r")
        if style is None or ref is None or attrs.get(b"t", b"n") != b"n":
            continue
        if int(style) in percent_styles:
            cell = _CELL_REF.fullmatch(ref.decode())
            if cell:
                found.add((int(cell.group(2)) - 1, column_index(cell.group(1))))
    return found


def _sheet_path(zf: zipfile.ZipFile, sheet_name: str) -> str | None:
    return sheet_paths(zf).get(sheet_name)


def _percent_styles(zf: zipfile.ZipFile) -> set[int]:
    try:
        styles = ElementTree.fromstring(zf.read("xl/styles.xml"))
    except KeyError:
        return set()
    percent_formats = set(_PERCENT_BUILTIN)
    for fmt in styles.iterfind(".//{*}numFmt"):
        if _is_percent_format(fmt.get("formatCode", "")):
            percent_formats.add(int(fmt.get("numFmtId", "-1")))
    cell_xfs = styles.find(".//{*}cellXfs")
    if cell_xfs is None:
        return set()
    return {
        i
        for i, xf in enumerate(cell_xfs.findall("{*}xf"))
        if int(xf.get("numFmtId", "0")) in percent_formats
    }
