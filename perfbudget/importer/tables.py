"""A sheet of text cells → a located table of one kind → typed rows.

`locate` finds the header row (title rows above it are allowed), tells the kind from the
headers, maps the columns and their money units, and picks the data rows (skipping blank,
totals and footnote rows). `read_rows` parses every cell by its column's type and reports
each bad cell with its row and header."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from perfbudget.importer import cells
from perfbudget.importer.columns import (
    BOOL,
    CODE,
    DATE,
    MONEY,
    MONEY_UNITS,
    MONTH,
    NUMBER,
    QUARTER,
    TEMPLATES,
    TEXT,
    YEAR,
    Header,
    column_letter,
    match_column,
    read_header,
)
from perfbudget.importer.errors import CellError, IssueLog
from perfbudget.importer.readers import Sheet

HEADER_SCAN_ROWS = 50
TOTALS_COLUMNS = 3
_TOTALS = re.compile(r"(合计|小计|总计)(?:$|[^\u4e00-\u9fff])")
_FOOTNOTE = ("注", "说明", "备注", "填表说明", "数据来源", "填报说明")
_UNIT_LINE = re.compile(r"单位\s*[:：]\s*(千元|万元|亿元|元)")
# Money columns stored with more decimals than the cent.
MONEY_PLACES = {"standard_unit_cost": 4}


@dataclass(frozen=True)
class ColumnRef:
    index: int  # position in Sheet.columns
    header: Header
    factor: Decimal | None = None  # money columns: to 元


@dataclass
class Table:
    """A located table: its kind, where its header is, which column is which."""

    kind: str
    sheet: Sheet
    header_index: int  # 0-based row of the header
    cols: dict[str, ColumnRef]
    data_rows: list[int] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    broken: bool = False  # a header problem was logged: the rows are not read

    @property
    def sheet_name(self) -> str | None:
        return self.sheet.name

    def header_text(self, key: str) -> str:
        ref = self.cols.get(key)
        return ref.header.text if ref else TEMPLATES[self.kind].column(key).zh

    def abs_col(self, key: str) -> int:
        return self.sheet.col_offset + self.cols[key].index


def _row_cells(sheet: Sheet, i: int) -> list[str | None]:
    return [col[i] for col in sheet.columns]


def _rows_text(rows: list[int]) -> str:
    """[1, 2, 3, 7] → "1–3、7" (1-based row numbers)."""
    parts: list[str] = []
    start: int | None = None
    prev = 0
    for r in rows:
        if start is None:
            start = prev = r
        elif r == prev + 1:
            prev = r
        else:
            parts.append(f"{start}" if start == prev else f"{start}–{prev}")
            start = prev = r
    if start is not None:
        parts.append(f"{start}" if start == prev else f"{start}–{prev}")
    shown = parts[:10]
    return "、".join(shown) + ("…" if len(parts) > 10 else "")


def _score_row(
    cells_: list[str | None], kinds: tuple[str, ...] | None = None
) -> tuple[str, int, int] | None:
    """The kind this row's headers best fit: (kind, distinctive count, matched count)."""
    headers = [read_header(c) for c in cells_ if c and c.strip()]
    if len(headers) < 2:
        return None
    best = None
    for kind, template in TEMPLATES.items():
        if kinds is not None and kind not in kinds:
            continue
        keys = {k for h in headers if (k := match_column(kind, h))}
        distinctive = sum(1 for c in template.columns if c.key in keys and c.distinctive)
        score = (distinctive, len(keys))
        if distinctive >= 1 and len(keys) >= 2 and (best is None or score > best[1:]):
            best = (kind, *score)
    return best


def locate(
    sheet: Sheet, log: IssueLog, *, report_unrecognised: bool, kind: str | None = None
) -> Table | None:
    """Find the header and the kind of table in a sheet (only that kind when given). None
    when the sheet has no recognisable header (an issue is logged only when
    report_unrecognised)."""
    scan = min(sheet.n_rows, HEADER_SCAN_ROWS)
    found = None
    for i in range(scan):
        scored = _score_row(_row_cells(sheet, i), (kind,) if kind else None)
        if scored:
            found = (i, scored[0])
            break
    if found is None:
        if report_unrecognised:
            log.add(
                sheet.name,
                None,
                None,
                "未找到可识别的表头（应含模板列名，如 项目编码、调整后预算数、本期支出、三级指标）",
                "no recognisable header row (template column names such as 项目编码, "
                "调整后预算数, 本期支出, 三级指标 were not found)",
            )
        return None
    header_index, kind = found
    template = TEMPLATES[kind]
    table = Table(kind, sheet, header_index, {})
    excel_header_row = header_index + 1

    # Title rows above the header, and a "单位：万元" line among them.
    line_unit = None
    title_rows = []
    for i in range(header_index):
        texts = [c for c in _row_cells(sheet, i) if c and c.strip()]
        if texts:
            title_rows.append(i + 1)
        for text in texts:
            match = _UNIT_LINE.search(unicodedata.normalize("NFKC", text).replace(" ", ""))
            if match:
                line_unit = match.group(1)
    if title_rows:
        table.notes.append(
            f"表头在第{excel_header_row}行，其上第{_rows_text(title_rows)}行（标题/说明）已跳过"
            f" | header on row {excel_header_row}; title rows {_rows_text(title_rows)} "
            "above it skipped"
        )
    if line_unit and line_unit != "元":
        table.notes.append(
            f"按表上方“单位：{line_unit}”换算为元 | amounts converted from {line_unit} "
            f"(unit line above the header) to 元"
        )

    headers = _two_row_header(sheet, kind, header_index)
    if headers is not None:
        header_index += 1
        table.header_index = header_index
        excel_header_row = header_index + 1
        table.notes.append(
            f"第{header_index}–{header_index + 1}行为两行表头（合并单元格），已合并读取 | rows "
            f"{header_index}–{header_index + 1} form a two-row header (merged cells); read as one"
        )
    else:
        headers = _row_cells(sheet, header_index)

    for j, col in enumerate(sheet.columns):
        raw = headers[j]
        letter = column_letter(sheet.col_offset + j)
        if raw is None or not raw.strip():
            if any(v is not None and v.strip() for v in col[header_index + 1 :]):
                table.ignored.append(f"列{letter}（无表头）")
            continue
        header = read_header(raw)
        key = match_column(kind, header)
        if key is None:
            table.ignored.append(header.text)
            continue
        if key in table.cols:
            log.add(
                sheet.name,
                excel_header_row,
                header.text,
                f"与列「{table.cols[key].header.text}」重复（同一列出现两次）",
                f"the same column as '{table.cols[key].header.text}' (a column appears twice)",
            )
            table.broken = True
            continue
        factor = None
        if template.column(key).type == MONEY:
            # "标准单位成本（元/平方米）": the money unit is the part before the slash
            unit = header.unit.split("/")[0].strip() if header.unit else None
            if unit is not None and unit not in MONEY_UNITS:
                log.add(
                    sheet.name,
                    excel_header_row,
                    header.text,
                    f"金额单位「{unit}」无法识别（应为 元 或 万元）",
                    f"money unit '{unit}' not recognised (use 元 or 万元)",
                )
                table.broken = True
            if unit is not None and line_unit is not None and unit != line_unit:
                log.add(
                    sheet.name,
                    excel_header_row,
                    header.text,
                    f"表头单位「{unit}」与表上方“单位：{line_unit}”矛盾",
                    f"the header's unit '{unit}' contradicts the line '单位：{line_unit}' above",
                )
                table.broken = True
            factor = MONEY_UNITS.get(unit or line_unit or "元")
        table.cols[key] = ColumnRef(j, header, factor)

    for spec in template.columns:
        if spec.required and spec.key not in table.cols:
            log.add(
                sheet.name,
                excel_header_row,
                spec.zh,
                f"缺少必填列「{spec.zh}」（{template.name_zh}表）",
                f"required column '{spec.zh}' ({spec.key}) is missing from the {kind} table",
            )
            table.broken = True
    for group in template.one_of:
        if not any(k in table.cols for k in group):
            names = [template.column(k).zh for k in group]
            log.add(
                sheet.name,
                excel_header_row,
                "/".join(names),
                f"缺少必填列：{'或'.join(f'「{n}」' for n in names)}须有其一",
                f"one of the columns {', '.join(names)} is required",
            )
            table.broken = True

    _pick_data_rows(table)
    return table


def _two_row_header(sheet: Sheet, kind: str, i: int) -> list[str | None] | None:
    """A header over two rows: a group cell merged across columns ("预算数（万元）" over
    年初预算数 | 调整后预算数), or cells merged down over both rows (whose value sits in the
    upper row only). The row below counts as part of the header when it names a template
    column where the row above has none. Returns the combined header cells, or None."""
    if i + 1 >= sheet.n_rows:
        return None
    upper, lower = _row_cells(sheet, i), _row_cells(sheet, i + 1)
    found = False
    for up, low in zip(upper, lower, strict=True):
        if low is None or not low.strip():
            continue
        if match_column(kind, read_header(low)) is None:
            return None  # a data cell, not a sub-header
        if up is None or not up.strip() or match_column(kind, read_header(up)) is None:
            found = True
    if not found:
        return None
    combined: list[str | None] = []
    group_unit = None  # the unit of a group cell applies across the columns it is merged over
    for up, low in zip(upper, lower, strict=True):
        if up is not None and up.strip():
            group_unit = read_header(up).unit
        if low is not None and low.strip():
            unit = group_unit
            combined.append(f"{low}（{unit}）" if unit and not read_header(low).unit else low)
        else:
            combined.append(up)
    return combined


def _pick_data_rows(table: Table) -> None:
    sheet = table.sheet
    blank, totals, footnotes = [], [], []
    start = table.header_index + 1
    # a column at a time: how many cells of each row hold something, and which rows may be
    # a totals line (a 计 in a leading cell); only those few are looked at row by row
    filled = [0] * (sheet.n_rows - start)
    for col in sheet.columns:
        for p in [p for p, v in enumerate(col[start:]) if v and not v.isspace()]:
            filled[p] += 1
    maybe_totals = {p for col in sheet.columns[:TOTALS_COLUMNS]
                    for p, v in enumerate(col[start:]) if v and "计" in v}  # fmt: skip
    for p, count in enumerate(filled):
        i = start + p
        if count == 0:
            blank.append(i + 1)
            continue
        if p in maybe_totals:
            lead = ["".join(cell.split()) for col in sheet.columns[:TOTALS_COLUMNS]
                    if (cell := col[i]) is not None]  # fmt: skip
            if any(_TOTALS.match(text) for text in lead):
                totals.append(i + 1)
                continue
        if count == 1:
            value = next(v for col in sheet.columns if (v := col[i]) and not v.isspace())
            if value.strip().startswith(_FOOTNOTE):
                footnotes.append(i + 1)
                continue
        table.data_rows.append(i)
    # blank rows at the very end are not worth a note
    last_data = table.data_rows[-1] + 1 if table.data_rows else 0
    blank = [r for r in blank if r < last_data]
    if blank:
        table.notes.append(
            f"空行已跳过：第{_rows_text(blank)}行 | blank rows skipped: {_rows_text(blank)}"
        )
    if totals:
        table.notes.append(
            f"合计/小计行已跳过：第{_rows_text(totals)}行 | totals rows skipped: "
            f"{_rows_text(totals)}"
        )
    if footnotes:
        table.notes.append(
            f"注释行已跳过：第{_rows_text(footnotes)}行 | footnote rows skipped: "
            f"{_rows_text(footnotes)}"
        )


def check_table_cells(table: Table, log: IssueLog) -> None:
    """A CSV record with more or fewer fields than its header is a refusal at its row:
    a stray delimiter or a line break shifts every value after it into the wrong column."""
    counts = table.sheet.field_counts
    if counts is None or table.header_index >= len(counts):
        return
    expected = counts[table.header_index]
    sheet = table.sheet
    for i in table.data_rows:
        n = counts[i]
        if n == expected:
            continue
        if n > expected and not any(col[i] for col in sheet.columns[expected:]):
            continue  # trailing empty fields: a spreadsheet's habit, nothing is shifted
        if n > expected:
            zh = (
                f"该行有{n}个字段，表头只有{expected}个：多了分隔符（或某个值含逗号却没有加引号），"
                "其后的值都错了列"
            )
            en = (
                f"the row has {n} fields but the header {expected}: an extra delimiter (or a "
                "value holding a comma without quotes) shifts the values after it"
            )
        else:
            zh = f"该行只有{n}个字段，表头有{expected}个：少了分隔符，或某个值中的换行把一行拆成了两行"
            en = (
                f"the row has {n} fields but the header {expected}: a delimiter is missing, or "
                "a line break inside a value split the row in two"
            )
        log.add(sheet.name, i + 1, None, zh, en)


def marked_cell_error(mark: str) -> CellError:
    """Why a cell the reader gave as empty is not: an Excel error value or a formula saved
    without its result."""
    if mark.startswith("="):
        formula = mark if len(mark) <= 40 else mark[:40] + "…"
        return CellError(
            f"单元格是公式「{formula}」，但文件中没有保存计算结果（常见于程序生成的文件）：请在 Excel "
            "或 WPS 中打开并保存一次后再导入，或改为填入数值",
            f"the cell is a formula ('{formula}') saved without its result (common in files "
            "written by programs): open and save the file once in Excel or WPS, or type the "
            "value",
        )
    return CellError(
        f"单元格是Excel错误值「{mark}」（公式出错）：请修正公式或填入数值",
        f"the cell holds the Excel error '{mark}' (a formula failed): fix the formula or type "
        "the value",
    )


@dataclass
class Row:
    excel_row: int  # 1-based, as Excel shows it
    index: int  # 0-based row in the sheet
    values: dict[str, Any]  # typed by the column: see columns.TEMPLATES


@dataclass
class Columns:
    """A table's data rows parsed column by column: values[key][p] is the value of the
    p-th data row (sheet row rows[p], 0-based); ok[p] is False for a row with an issue,
    which has been logged. Builders that check their rows as whole columns read these;
    read_rows gives the same rows one by one."""

    rows: list[int]
    values: dict[str, list]
    ok: list[bool]

    def excel_row(self, p: int) -> int:
        return self.rows[p] + 1

    def ok_positions(self) -> list[int]:
        return [p for p, good in enumerate(self.ok) if good]


_FILL_DOWN_KEY = ("year", "project_code")
_CACHED = frozenset({CODE, TEXT, YEAR, MONTH, QUARTER, BOOL, DATE})


def read_rows(
    table: Table,
    log: IssueLog,
    seen: Counter,
    *,
    optional: frozenset[str] = frozenset(),
    fill_down: tuple[str, ...] = (),
) -> Iterator[Row]:
    """The rows of parse_columns without an issue, one by one."""
    parsed = parse_columns(table, log, seen, optional=optional, fill_down=fill_down)
    keys = list(parsed.values)
    columns = [parsed.values[k] for k in keys]
    for p in parsed.ok_positions():
        i = parsed.rows[p]
        yield Row(i + 1, i, {k: col[p] for k, col in zip(keys, columns, strict=True)})


def parse_columns(
    table: Table,
    log: IssueLog,
    seen: Counter,
    *,
    optional: frozenset[str] = frozenset(),
    fill_down: tuple[str, ...] = (),
) -> Columns:
    """Parse each data row by its columns' types, a column at a time. A row with a bad or
    missing required cell is logged (its issues in column order, rows in sheet order) and
    marked not ok. `optional` lifts the template's requirement for keys the caller checks
    itself; `fill_down` keys take the value of the row above when blank and the row is for
    the same project (merged cells)."""
    template = TEMPLATES[table.kind]
    required = {c.key for c in template.columns if c.required} - optional
    sheet = table.sheet
    rows = table.data_rows
    position = {i: p for p, i in enumerate(rows)} if sheet.marks else {}
    values: dict[str, list] = {}
    # position -> [(key, header, error)] in column order: the issues of the row's cells
    cell_errors: dict[int, list[tuple[str, str, CellError]]] = {}
    for key, ref in table.cols.items():
        column = sheet.columns[ref.index]
        raws = [column[i] for i in rows]
        parsed, errors = _parse_column(template.column(key).type, raws, ref, key, seen)
        if sheet.marks:
            # a cell the reader gave as empty that holds an error value or a bare formula
            col = sheet.col_offset + ref.index
            for (r, c), mark in sheet.marks.items():
                p = position.get(r)
                if c == col and p is not None and raws[p] is None:
                    errors[p] = marked_cell_error(mark)
        for p in sorted(errors):
            parsed[p] = None
            cell_errors.setdefault(p, []).append((key, ref.header.text, errors[p]))
        values[key] = parsed
    ok = [True] * len(rows)
    required_cols = [(key, ref.header.text) for key, ref in table.cols.items() if key in required]
    if fill_down:
        _fill_and_check(table, log, values, cell_errors, required_cols, fill_down, ok)
        return Columns(rows, values, ok)
    # no row depends on the one above: the required cells are checked a column at a time
    empty: dict[int, list[str]] = {}
    for key, header in required_cols:
        for p in [p for p, v in enumerate(values[key]) if v is None]:
            if not any(k == key for k, _h, _e in cell_errors.get(p, ())):
                empty.setdefault(p, []).append(header)
    for p in sorted(cell_errors.keys() | empty.keys()):
        ok[p] = False
        for _key, header, err in cell_errors.get(p, ()):
            log.add_cell_error(sheet.name, rows[p] + 1, header, err)
        for header in empty.get(p, ()):
            log.add(sheet.name, rows[p] + 1, header, "必填项为空", "required value is empty")
    return Columns(rows, values, ok)


def _fill_and_check(
    table: Table,
    log: IssueLog,
    values: dict[str, list],
    cell_errors: dict[int, list[tuple[str, str, CellError]]],
    required_cols: list[tuple[str, str]],
    fill_down: tuple[str, ...],
    ok: list[bool],
) -> None:
    """Row by row, as a reader of the sheet would: a blank fill-down cell takes the value
    of the last good row above when both rows are for the same project; then the required
    cells are checked."""
    sheet, rows = table.sheet, table.data_rows
    previous: dict[str, object] = {}
    filled = 0
    for p, i in enumerate(rows):
        errors = cell_errors.get(p, [])
        bad_keys = {key for key, _h, _e in errors}
        for _key, header, err in errors:
            log.add_cell_error(sheet.name, i + 1, header, err)
        row = {k: (None if k in bad_keys else col[p]) for k, col in values.items()}
        for key in fill_down:
            if (
                row.get(key) is None
                and key in table.cols
                and previous.get(key) is not None
                and all(row.get(k) == previous.get(k) for k in _FILL_DOWN_KEY)
            ):
                row[key] = values[key][p] = previous[key]
                filled += 1
        good = not errors
        for key, header in required_cols:
            if key not in bad_keys and row[key] is None:
                log.add(sheet.name, i + 1, header, "必填项为空", "required value is empty")
                good = False
        ok[p] = good
        if good:
            previous = row
    if filled:
        table.notes.append(
            f"{filled}个空白的指标层级单元格（合并单元格）已按上一行填充 | "
            f"{filled} blank level cells (merged cells) filled from the row above"
        )


class _Bad:
    """A distinct text that failed to parse, in a column's table of parsed texts."""

    __slots__ = ("error",)

    def __init__(self, error: CellError):
        self.error = error


def _parse_column(
    col_type: str, raws: list[str | None], ref: ColumnRef, key: str, seen: Counter
) -> tuple[list, dict[int, CellError]]:
    """One column's cells → (values, {position: error}). Codes, years, months and names
    repeat down a column: each distinct text is parsed once. Amounts in plain digits are
    read in one step; anything else goes through the cell readers (importer/cells.py)."""
    errors: dict[int, CellError] = {}
    if col_type == MONEY:
        return _money_column(raws, ref, key, seen, errors), errors
    if col_type not in _CACHED:
        out: list = []
        for p, raw in enumerate(raws):
            try:
                out.append(_parse(col_type, raw, ref, key, seen))
            except CellError as err:
                errors[p] = err
                out.append(None)
        return out, errors
    table: dict[str | None, object] = {None: None}
    bad = False
    for raw, n in Counter(raws).items():
        if raw is None:
            continue
        if col_type == CODE and raw and raw.isascii() and raw.strip() == raw:
            table[raw] = raw  # the common code: nothing to trim or make half-width
            continue
        local: Counter = Counter()
        try:
            table[raw] = _parse(col_type, raw, ref, key, local)
        except CellError as err:
            table[raw] = _Bad(err)
            bad = True
            continue
        for what, k in local.items():
            seen[what] += k * n
    out = [table[raw] for raw in raws]
    if bad:
        for p, value in enumerate(out):
            if isinstance(value, _Bad):
                errors[p] = value.error
                out[p] = None
    return out, errors


def _plain_money(places: int, factor: Decimal) -> re.Pattern:
    """Amounts a file writes in plain digits that are exact to the stored decimals once
    multiplied by the column's unit, and short enough that cells.parse_decimal reads them
    as typed: these need none of its tolerance."""
    shift = len(str(int(factor))) - 1  # 万元: 4
    whole = min(12, 15 - places) - shift
    return re.compile(rf"-?\d{{1,{whole}}}(?:\.\d{{1,{places + shift}}})?")


def _money_column(
    raws: list[str | None], ref: ColumnRef, key: str, seen: Counter, errors: dict[int, CellError]
) -> list:
    places = MONEY_PLACES.get(key, 2)
    factor = ref.factor or Decimal(1)
    plain = _plain_money(places, factor).fullmatch
    quantum = Decimal(1).scaleb(-places)
    out: list = []
    for p, raw in enumerate(raws):
        if raw is None:
            out.append(None)
        elif plain(raw):
            value = Decimal(raw) if factor == 1 else Decimal(raw) * factor
            out.append(value.quantize(quantum))
        else:
            try:
                out.append(_parse(MONEY, raw, ref, key, seen))
            except CellError as err:
                errors[p] = err
                out.append(None)
    return out


def _parse(col_type: str, raw: str | None, ref: ColumnRef, key: str, seen: Counter) -> object:
    if raw is None:
        return None
    if col_type == TEXT:
        return cells.clean_text(raw)
    if col_type == CODE:
        return cells.parse_code(raw, seen)
    if col_type == MONEY:
        value = cells.parse_decimal(raw, seen)
        if value is None:
            return None
        places = MONEY_PLACES.get(key, 2)
        exact = value * (ref.factor or 1)
        rounded = cells.round_half_up(exact, places)
        if abs(rounded) >= cells.MAX_MONEY:
            raise cells.too_large(raw, cells.MAX_MONEY, "金额", "the amount")
        if rounded != exact:
            seen["rounded"] += 1
        return rounded
    if col_type == NUMBER:
        return cells.parse_decimal(raw, seen)
    if col_type == YEAR:
        return cells.parse_year(raw, seen)
    if col_type == MONTH:
        return cells.parse_month(raw, seen)
    if col_type == QUARTER:
        return cells.parse_quarter(raw, seen)
    if col_type == BOOL:
        return cells.parse_bool(raw, seen)
    if col_type == DATE:
        return cells.parse_date(raw, seen)
    raise AssertionError(col_type)  # pragma: no cover


_SEEN_NOTES = {
    cells.FULLWIDTH: ("个全角数字/字符已转为半角", "full-width values converted to half-width"),
    cells.THOUSANDS: ("个带千分位分隔符的数字已读取", "numbers with thousands separators read"),
    cells.CURRENCY: ("个带货币符号的金额已读取", "amounts with a currency sign read"),
    cells.SPACES: ("个编码首尾的空格已去除", "codes had stray spaces removed"),
    cells.EXCEL_SERIAL_DATE: (
        "个Excel日期序号已转为日期",
        "Excel serial day numbers read as dates",
    ),
    "rounded": ("个金额已四舍五入到分", "amounts rounded half up to the cent"),
}


def seen_notes(seen: Counter) -> list[str]:
    return [f"{seen[k]}{zh} | {seen[k]} {en}" for k, (zh, en) in _SEEN_NOTES.items() if seen.get(k)]
