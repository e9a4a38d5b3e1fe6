"""A DataFrame as a formatted .xlsx a finance officer can use as is: a bold, frozen header
with an autofilter, sensible column widths, money in 万元 ('#,##0.00') converted exactly from
the 元 values, rates as '0.0%', rows filled red / yellow / blue by severity.

Text that a spreadsheet would take for a formula (starting with = + - @, or a tab or carriage
return) is written with a leading single quote, so opening the file never runs anything."""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal, SupportsInt, cast

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from perfbudget import palette

Kind = Literal["text", "wan", "rate", "number", "integer", "pp", "date"]

WAN_FORMAT = "#,##0.00"
RATE_FORMAT = "0.0%"
PP_FORMAT = "+0.0;-0.0;0.0"
INTEGER_FORMAT = "0"
NUMBER_FORMAT = "#,##0.##"
DATE_FORMAT = "yyyy-mm-dd"
YUAN_PER_WAN_EXPONENT = -4  # 元 → 万元 is a shift of the decimal point: exact
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _fill(colour: str) -> PatternFill:
    return PatternFill("solid", start_color=palette.hex6(colour), end_color=palette.hex6(colour))


# The workbook's colours, from perfbudget.palette.
SEVERITY_FILLS = {severity: _fill(colour) for severity, colour in palette.SEVERITY_ROW_FILL.items()}
HEADER_FILL = _fill(palette.HEADER_FILL)
HEADER_BORDER = Border(bottom=Side(style="thin", color=palette.hex6(palette.HEADER_BORDER)))
MIN_WIDTH, MAX_WIDTH = 6, 60


@dataclass(frozen=True)
class Column:
    """One output column: the DataFrame column it reads, its header, and how it is written.

    kind: text; wan (an amount in 元, written in 万元); rate (a fraction, shown as a
    percentage); pp (percentage points); number; integer; date."""

    key: str
    header: str
    kind: Kind = "text"
    width: float | None = None


def neutralise(text: str) -> str:
    """Text as a spreadsheet cell that can never be a formula."""
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def _missing(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _exact(value: object) -> Decimal:
    """An exact Decimal: floats through their shortest repr (the decimal a query computed)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


def cell_value(value: object, kind: Kind) -> object:
    """What goes into the cell for a value of a column of this kind."""
    if _missing(value):
        return None
    if kind == "wan":
        return _exact(value).scaleb(YUAN_PER_WAN_EXPONENT)
    if kind in ("rate", "pp", "number"):
        return _exact(value)
    if kind == "integer":
        return int(cast(SupportsInt, value))  # an integer column holds numbers
    if kind == "date":
        if isinstance(value, pd.Timestamp):
            return value.to_pydatetime()
        if isinstance(value, (date, datetime)):
            return value
        return neutralise(str(value))
    if isinstance(value, bool):
        return value
    return neutralise(str(value))


_FORMATS = {
    "wan": WAN_FORMAT,
    "rate": RATE_FORMAT,
    "pp": PP_FORMAT,
    "integer": INTEGER_FORMAT,
    "number": NUMBER_FORMAT,
    "date": DATE_FORMAT,
}


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _shown_text(value: object, kind: Kind) -> str:
    if value is None:
        return ""
    if kind == "wan":
        return f"{value:,.2f}"
    if kind == "rate" and isinstance(value, Decimal):  # cell_value made it a Decimal
        return f"{value * 100:.1f}%"
    return str(value)


def dataframe_to_xlsx(
    frame: pd.DataFrame,
    columns: Sequence[Column],
    *,
    sheet_name: str = "Sheet1",
    severity_key: str | None = None,
    title: str | None = None,
) -> bytes:
    """The frame's chosen columns as a one-sheet workbook, returned as bytes.

    severity_key names a column holding 'red' / 'yellow' / 'blue' (it need not be exported);
    each row is filled in its severity's colour. title: a line above the header (the header
    then sits on row 2, and row 1–2 stay frozen)."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name[:31]
    write_sheet(sheet, frame, columns, severity_key=severity_key, title=title)
    return _saved(book)


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook made by sheets_to_xlsx."""

    name: str
    frame: pd.DataFrame
    columns: Sequence[Column]
    severity_key: str | None = None
    title: str | None = None


def sheets_to_xlsx(
    sheets: Sequence[Sheet],
    *,
    cover: Sequence[str] = (),
    cover_name: str = "说明",
    marking: str | None = None,
) -> bytes:
    """Several formatted sheets in one workbook. cover: lines written on a first sheet (what
    the file is, its scope, date and marking); marking (内部 / 公开) also goes into every
    sheet's printed header and the file's properties."""
    book = Workbook()
    first = book.active
    if cover:
        first.title = cover_name[:31]
        for row, line in enumerate(cover, start=1):
            cell = first.cell(row=row, column=1, value=neutralise(str(line)))
            cell.data_type = "s"
            cell.font = Font(bold=row == 1, size=14 if row == 1 else 11)
        first.column_dimensions["A"].width = 100
    else:
        book.remove(first)
    for spec in sheets:
        sheet = book.create_sheet(_sheet_title(spec.name, book.sheetnames))
        write_sheet(
            sheet, spec.frame, spec.columns, severity_key=spec.severity_key, title=spec.title
        )
    if marking:
        for sheet in book.worksheets:
            sheet.oddHeader.right.text = marking
            sheet.evenHeader.right.text = marking
        book.properties.keywords = marking
        book.properties.category = marking
    return _saved(book)


def _sheet_title(name: str, taken: Sequence[str]) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\, unique."""
    clean = "".join("_" if ch in "[]:*?/\\" else ch for ch in name)[:31] or "Sheet"
    title, n = clean, 2
    while title in taken:
        title = f"{clean[:28]}_{n}"
        n += 1
    return title


def write_sheet(
    sheet: Worksheet,
    frame: pd.DataFrame,
    columns: Sequence[Column],
    *,
    severity_key: str | None = None,
    title: str | None = None,
) -> None:
    """Write the frame into a worksheet: bold filled header (on row 2 under a title line when
    one is given), frozen, with an autofilter, number formats, widths and severity fills."""
    first = 1
    if title:
        cell = sheet.cell(row=1, column=1, value=neutralise(title))
        cell.data_type = "s"
        cell.font = Font(bold=True, size=12)
        first = 2

    header_font = Font(bold=True)
    for col_index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=first, column=col_index, value=neutralise(column.header))
        cell.font = header_font
        cell.fill = HEADER_FILL
        cell.border = HEADER_BORDER
        cell.alignment = Alignment(vertical="center", wrap_text=False)

    widths = [_display_width(column.header) for column in columns]
    severities = frame[severity_key].tolist() if severity_key else [None] * len(frame)
    records = frame[[c.key for c in columns]].itertuples(index=False, name=None)
    for row_index, (record, severity) in enumerate(
        zip(records, severities, strict=True), start=first + 1
    ):
        fill = SEVERITY_FILLS.get(severity) if isinstance(severity, str) else None
        for col_index, (column, raw) in enumerate(zip(columns, record, strict=True), start=1):
            value = cell_value(raw, column.kind)
            cell = sheet.cell(row=row_index, column=col_index, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # a string stays a string, whatever it starts with
            if column.kind in _FORMATS:
                cell.number_format = _FORMATS[column.kind]
            if column.kind == "text":
                cell.alignment = Alignment(vertical="top", wrap_text=True)
            if fill is not None:
                cell.fill = fill
            widths[col_index - 1] = max(
                widths[col_index - 1], _display_width(_shown_text(value, column.kind))
            )

    for col_index, column in enumerate(columns, start=1):
        width = column.width or min(MAX_WIDTH, max(MIN_WIDTH, widths[col_index - 1] + 2))
        sheet.column_dimensions[get_column_letter(col_index)].width = width

    sheet.freeze_panes = f"A{first + 1}"
    last = get_column_letter(max(1, len(columns)))
    sheet.auto_filter.ref = f"A{first}:{last}{max(first, len(frame) + first)}"


def _saved(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
