"""Bytes → sheets of raw text cells. Spreadsheets (.xlsx, .xls) are read with fastexcel,
every column as a string so that codes keep their leading zeros; CSV text is decoded as
UTF-8 (with or without BOM), UTF-16 (with BOM) or GB18030 (a superset of GBK)."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

import fastexcel

from perfbudget.importer.errors import IssueLog

XLSX, XLS, CSV = "xlsx", "xls", "csv"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class Sheet:
    """One sheet's cells as text, column by column. Row i of every column is the sheet's row
    i + 1 as Excel numbers it; col_offset is the 0-based index of the first column read
    (a sheet whose columns A and B are empty starts at C)."""

    name: str | None  # None for a CSV
    columns: list[list[str | None]]
    n_rows: int
    col_offset: int = 0


@dataclass
class Workbook:
    file_name: str
    content: bytes
    format: str  # xlsx, xls or csv
    sheets: list[Sheet]
    encoding: str | None = None  # CSV only
    notes: list[str] = field(default_factory=list)


def read_workbook(file_name: str, content: bytes, log: IssueLog) -> Workbook | None:
    """Read a file into sheets, or add an issue to the log and return None."""
    if not content or not content.strip():
        log.add(None, None, None, "文件为空", "the file is empty")
        return None
    if content.startswith(_ZIP_MAGIC):
        if not _is_xlsx(content):
            log.add(None, None, None, _NOT_SPREADSHEET_ZH, _NOT_SPREADSHEET_EN)
            return None
        return _read_excel(file_name, content, XLSX, log)
    if content.startswith(_OLE_MAGIC):
        return _read_excel(file_name, content, XLS, log)
    return _read_csv(file_name, content, log)


_NOT_SPREADSHEET_ZH = "不是电子表格或CSV文件（可导入 .xlsx、.xls、.csv）"
_NOT_SPREADSHEET_EN = "not a spreadsheet or CSV file (.xlsx, .xls and .csv are accepted)"


def _is_xlsx(content: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except zipfile.BadZipFile:
        return False


def _read_excel(file_name: str, content: bytes, fmt: str, log: IssueLog) -> Workbook | None:
    try:
        reader = fastexcel.read_excel(content)
    except Exception:  # fastexcel raises its own error types for any unreadable file
        log.add(None, None, None, _NOT_SPREADSHEET_ZH, _NOT_SPREADSHEET_EN)
        return None
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
            batch = sheet.to_arrow()
            offset = sheet.available_columns()[0].absolute_index
        except Exception as exc:
            log.add(name, None, None, f"工作表无法读取（{exc}）", f"the sheet cannot be read ({exc})")
            continue
        columns = [col.to_pylist() for col in batch.columns]
        book.sheets.append(Sheet(name, columns, batch.num_rows, offset))
    return book


def _decode(content: bytes) -> tuple[str, str] | None:
    if content.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None


def _delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    counts = {d: sum(line.count(d) for line in lines) for d in (",", "\t", ";", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(file_name: str, content: bytes, log: IssueLog) -> Workbook | None:
    head = content[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        log.add(None, None, None, _NOT_SPREADSHEET_ZH, _NOT_SPREADSHEET_EN)
        return None
    decoded = _decode(content)
    if decoded is None:
        log.add(
            None,
            None,
            None,
            "无法识别文件编码（CSV 请存为 UTF-8 或 GBK/GB18030）",
            "the file's text encoding cannot be read (save the CSV as UTF-8 or GBK/GB18030)",
        )
        return None
    text, encoding = decoded
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)))
    width = max((len(r) for r in rows), default=0)
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for row in rows:
        for j in range(width):
            cell = row[j] if j < len(row) else None
            columns[j].append(cell if cell != "" else None)
    sheet = Sheet(None, columns, len(rows), 0)
    return Workbook(file_name, content, CSV, [sheet], encoding=encoding)


# --- percent-formatted cells (xlsx only) -------------------------------------------------
# fastexcel gives a cell's value, not its number format; a cell shown as 96% holds 0.96.
# For the few columns where that matters (indicator values with unit %) the sheet's XML is
# scanned for cells whose style has a percent format.

_CELL = re.compile(rb"<c\b([^>]*?)/?>")
_ATTR = re.compile(rb'\b(r|s|t)="([^"]*)"')
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_PERCENT_BUILTIN = {9, 10}


def _col_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - ord("A") + 1)
    return index - 1


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
                found.add((int(cell.group(2)) - 1, _col_index(cell.group(1))))
    return found


def _sheet_path(zf: zipfile.ZipFile, sheet_name: str) -> str | None:
    workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    rel_id = None
    for sheet in workbook.iterfind(".//{*}sheet"):
        if sheet.get("name") == sheet_name:
            rel_id = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
    if rel_id is None:
        return None
    rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iterfind(".//{*}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


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
