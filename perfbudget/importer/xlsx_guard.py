"""What an .xlsx will cost to read, told from its zip directory and each sheet's XML before
a native reader sees it; and the cells the readers turn into blanks without a word.

- The zip directory gives every member's uncompressed size: a zip bomb (3 MB that expands
  to 3 GB) is refused by its sum and its compression ratio, before anything is inflated.
- A sheet's `<dimension ref="A1:XFD1048576"/>` is what calamine/fastexcel allocate for, and
  a workbook has such a range whenever someone formatted a whole row or column. When the
  declared range is over the limits, the sheet's cells are scanned: if the cells holding a
  value fit, the sheet is rewritten without the value-less (formatting-only) cells and with
  its real range; if a far-away cell holds a value, the sheet is refused naming that cell.
- Error cells (#DIV/0!, #N/A…) and formulas saved without a cached result come back from
  the readers as empty cells; `marked_cells` finds them so the importer can say so.

Runs inside the reading child (importer/sandbox.py): the memory limit there covers the
bytes inflated here."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from xml.etree import ElementTree

from perfbudget.importer.columns import column_letter
from perfbudget.importer.limits import Limits, size_text

_DIMENSION = re.compile(rb'<dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')
_CELL_OPEN = re.compile(rb'<c\s[^>]*?\br="([A-Z]+)(\d+)"[^>]*?(/?)>')
_EMPTY_CELL = re.compile(rb"<c\s[^>]*(?:/>|></c>)")
# Shared-strings and styles members are needed whole; sheets are what grows.
_RATIO_CHECK_FROM = 20_000_000  # small workbooks may compress well; ratio matters past 20 MB
MAX_MARKS = 2_000


class Refusal(Exception):
    """A plain reason why the file is not read (bilingual); nothing was parsed."""

    def __init__(self, message_zh: str, message_en: str, sheet: str | None = None,
                 row: int | None = None, column: str | None = None):  # fmt: skip
        super().__init__(f"{message_zh} | {message_en}")
        self.message_zh, self.message_en = message_zh, message_en
        self.sheet, self.row, self.column = sheet, row, column


def column_index(letters: str) -> int:
    """'A' → 0, 'XFD' → 16383."""
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - ord("A") + 1)
    return index - 1


def check_zip(zf: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse a workbook whose members would inflate past the limits."""
    infos = zf.infolist()
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > limits.max_uncompressed_bytes:
        raise Refusal(
            f"文件解压后为{size_text(total)}，超过上限{size_text(limits.max_uncompressed_bytes)}"
            "（可能是压缩炸弹，或表格过大：请拆分后分别导入）",
            f"the workbook expands to {size_text(total)}, over the limit of "
            f"{size_text(limits.max_uncompressed_bytes)} (a zip bomb, or a table too large: "
            "split it and import the parts)",
        )
    ratio = total / packed if packed else float("inf")
    if total >= _RATIO_CHECK_FROM and ratio > limits.max_compression_ratio:
        raise Refusal(
            f"文件压缩比为{ratio:.0f}:1（{size_text(packed)}解压为{size_text(total)}），超过上限"
            f"{limits.max_compression_ratio:.0f}:1，不像正常的表格文件（可能是压缩炸弹）",
            f"the workbook's compression ratio is {ratio:.0f}:1 ({size_text(packed)} expands to "
            f"{size_text(total)}), over the limit of {limits.max_compression_ratio:.0f}:1: not "
            "an ordinary workbook (possibly a zip bomb)",
        )


def sheet_paths(zf: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → member path, from workbook.xml and its relationships."""
    try:
        workbook = ElementTree.fromstring(zf.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}
    targets = {}
    for rel in rels.iterfind(".//{*}Relationship"):
        target = rel.get("Target", "")
        targets[rel.get("Id")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    out = {}
    for sheet in workbook.iterfind(".//{*}sheet"):
        rel_id = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        name = sheet.get("name")
        if name is not None and rel_id in targets:
            out[name] = targets[rel_id]
    return out


@dataclass(frozen=True)
class Extent:
    rows: int
    columns: int
    last_ref: str  # the far corner, as Excel names it
    filled: int | None = None  # cells holding something, when counted

    @property
    def cells(self) -> int:
        return self.rows * self.columns


def declared_extent(head: bytes) -> Extent | None:
    """The range a sheet declares in its first bytes (`<dimension ref="A1:H20"/>`)."""
    match = _DIMENSION.search(head)
    if match is None:
        return None
    col = (match.group(3) or match.group(1) or b"A").decode()
    row = int(match.group(4) or match.group(2) or b"1")
    return Extent(row, column_index(col) + 1, f"{col}{row}")


# A cell that holds something: an opening tag that is not self-closing and not followed at
# once by its closing tag (those carry only a style).
_VALUED_CELL = re.compile(rb'<c\s[^>]*?\br="([A-Z]+)(\d+)"[^>]*?(?<!/)>(?!</c>)')


def valued_extent(xml: bytes) -> Extent | None:
    """The range of the cells that hold something (a value, a formula, inline text); cells
    that only carry a style (`<c r="XFD1" s="3"/>`) are left out. One regular-expression
    pass; column letters are turned into numbers once per distinct column."""
    cells = _VALUED_CELL.findall(xml)
    if not cells:
        return None
    max_row = max(map(int, (row for _, row in cells)))
    max_col = max(column_index(letters.decode()) for letters in {c for c, _ in cells})
    return Extent(max_row, max_col + 1, f"{column_letter(max_col)}{max_row}", len(cells))


def _over(extent: Extent, limits: Limits) -> bool:
    return (extent.rows > limits.max_rows or extent.columns > limits.max_columns
            or extent.cells > limits.max_cells)  # fmt: skip


def _too_large(sheet: str, extent: Extent, limits: Limits, far_cell: bool) -> Refusal:
    far_zh = (f"最远的有内容单元格是{extent.last_ref}：请删除表格以外的多余内容（或复制表格到新工作表）"
              "后重新保存" if far_cell else "请拆分后分别导入")  # fmt: skip
    far_en = (f"the farthest cell with content is {extent.last_ref}: delete what lies outside "
              "the table (or copy the table to a new sheet) and save again" if far_cell
              else "split it and import the parts")  # fmt: skip
    return Refusal(
        f"工作表的内容区域为A1:{extent.last_ref}（{extent.rows:,}行 × {extent.columns:,}列），"
        f"超过上限（最多{limits.max_rows:,}行、{limits.max_columns:,}列、"
        f"{limits.max_cells:,}个单元格）；{far_zh}",
        f"the sheet's content spans A1:{extent.last_ref} ({extent.rows:,} rows × "
        f"{extent.columns:,} columns), over the limits ({limits.max_rows:,} rows, "
        f"{limits.max_columns:,} columns, {limits.max_cells:,} cells); {far_en}",
        sheet,
    )


def fit_sheets(content: bytes, limits: Limits) -> tuple[bytes, list[str]]:
    """The workbook to hand to the native reader: refused (Refusal) when a sheet's content
    is over the limits, rewritten when only its declared range is (formatting spread over
    whole rows or columns); notes say which sheets were trimmed."""
    notes: list[str] = []
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        check_zip(zf, limits)
        paths = sheet_paths(zf)
        patched: dict[str, bytes] = {}
        for name, path in paths.items():
            try:
                with zf.open(path) as member:
                    head = member.read(8192)
            except KeyError:
                continue
            declared = declared_extent(head)
            if declared is not None and not _over(declared, limits):
                continue
            xml = zf.read(path)
            real = valued_extent(xml)
            if real is None:
                if declared is not None:
                    patched[path] = _with_range(xml, None)
                continue
            if _over(real, limits):
                # a few cells far away (sparse) or a table that is simply too big
                sparse = real.filled is not None and real.filled * 100 < real.cells
                raise _too_large(name, real, limits, far_cell=sparse)
            if declared is None:
                continue
            patched[path] = _with_range(xml, real)
            notes.append(
                f"工作表「{name}」声明的区域为A1:{declared.last_ref}（整行或整列设置过格式），"
                f"按实际内容A1:{real.last_ref}读取 | sheet '{name}' declares the range "
                f"A1:{declared.last_ref} (whole rows or columns formatted); read by its content, "
                f"A1:{real.last_ref}"
            )
        if not patched:
            return content, notes
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as rewritten:
            for info in zf.infolist():
                data = patched.get(info.filename)
                rewritten.writestr(info, data if data is not None else zf.read(info.filename))
        return out.getvalue(), notes


def _with_range(xml: bytes, extent: Extent | None) -> bytes:
    """The sheet without value-less cells and with its real range declared."""
    xml = _EMPTY_CELL.sub(b"", xml)
    ref = f"A1:{extent.last_ref}" if extent is not None else "A1"
    return _DIMENSION.sub(f'<dimension ref="{ref}"'.encode(), xml, count=1)


# --- cells the readers turn into blanks --------------------------------------------------

_CELL_START = re.compile(rb"<c\s")


def marked_cells(zf: zipfile.ZipFile, path: str) -> dict[tuple[int, int], str]:
    """(0-based row, 0-based column) → what the cell really holds, for the cells a reader
    gives as empty: an Excel error value ('#DIV/0!') or a formula with no saved result
    ('=SUM(B2:B9)'). Capped at MAX_MARKS: past that many, the file has bigger problems."""
    try:
        xml = zf.read(path)
    except KeyError:
        return {}
    marks: dict[tuple[int, int], str] = {}
    for needle in (b't="e"', b"<f"):
        start = 0
        while len(marks) < MAX_MARKS:
            at = xml.find(needle, start)
            if at < 0:
                break
            begin = xml.rfind(b"<c ", 0, at)
            end = xml.find(b"</c>", at)
            start = at + len(needle)
            if begin < 0 or end < 0:
                continue
            cell = xml[begin:end]
            ref = re.search(rb'\br="([A-Z]+)(\d+)"', cell)
            if ref is None:
                continue
            key = (int(ref.group(2)) - 1, column_index(ref.group(1).decode()))
            value = re.search(rb"<v>([^<]*)</v>", cell)
            if needle == b't="e"':
                head = cell[: cell.find(b">") + 1]
                if b't="e"' in head:
                    marks[key] = value.group(1).decode(errors="replace") if value else "#VALUE!"
            elif value is None or not value.group(1):
                formula = re.search(rb"<f[^>]*>([^<]*)</f>", cell)
                marks[key] = "=" + (formula.group(1).decode(errors="replace") if formula else "")
    return marks
