"""The published forms, read as departments fill them in
(docs/figures.md#the-self-evaluation-table): the 项目支出绩效自评表 (layout ``selfeval_table``)
and the 绩效目标执行监控表 (layout ``monitoring_table``). One form per sheet.

A form is not a list with one header row: it is a grid of labelled blocks. `parse_form`
finds each block by its labels, wherever the cells sit (merged cells keep their value only
in their top-left cell, so level cells are carried down), and returns a `Form`: the header
fields, the funding rows, the indicator rows and the footer, each with the cell it came
from. `emit_form` turns a Form whose project code is settled into the records of a FileData
(projects, spending, indicators and actuals, self-evaluation claims). The code is settled
in api.py, which may look the project up by name and department in the database."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from perfbudget.importer import cells
from perfbudget.importer.columns import MONEY_UNITS, column_letter, read_header
from perfbudget.importer.errors import CellError, IssueLog
from perfbudget.importer.kinds import (
    FileData,
    Ref,
    Target,
    TargetError,
    _actual_value,
    _keep_first,
    _merge_definition,
    normalise_level,
    parse_target,
)
from perfbudget.importer.readers import Sheet, percent_cells
from perfbudget.importer.tables import _row_cells, _score_row, marked_cell_error

SELFEVAL = "selfeval_table"
MONITORING = "monitoring_table"
FORM_LAYOUTS = (SELFEVAL, MONITORING)
FORM_NAMES_ZH = {SELFEVAL: "项目支出绩效自评表", MONITORING: "绩效目标执行监控表"}

FUND_SOURCES = ("当年财政拨款", "上年结转资金", "其他资金")
LIKELIHOODS = ("确定能", "有可能", "完全不可能")  # 完成目标可能性: the only three values
DEVIATION_CATEGORIES = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")
SCAN_ROWS = 400  # a form is small; rows below this are not looked at for its blocks


def norm(text: str | None) -> str:
    """A label as compared: half-width, no spaces, no colons or stars around it."""
    if text is None:
        return ""
    out = unicodedata.normalize("NFKC", text)
    out = re.sub(r"\s+", "", out)
    return out.strip(":*")


def _fund_label(text: str) -> str | None:
    key = norm(text)
    key = key.removeprefix("其中").strip(":、,")
    return _FUND_ROWS.get(key)


_FUND_ROWS = {
    "年度资金总额": "total", "资金总额": "total", "年度资金合计": "total", "资金合计": "total",
    "当年财政拨款": "当年财政拨款", "财政拨款": "当年财政拨款", "本年财政拨款": "当年财政拨款",
    "财政拨款资金": "当年财政拨款",
    "上年结转资金": "上年结转资金", "上年结转": "上年结转资金", "结转资金": "上年结转资金",
    "其他资金": "其他资金", "其他": "其他资金",
}  # fmt: skip

_HEADER_FIELDS = {
    "项目名称": "project_name",
    "项目编码": "project_code", "项目代码": "project_code",
    "主管部门": "department", "主管部门及代码": "department", "主管部门名称": "department",
    "主管单位": "department",
    "实施单位": "unit", "实施单位及代码": "unit", "实施单位名称": "unit", "预算单位": "unit",
}  # fmt: skip
_OTHER_LABELS = {"项目负责人", "联系人", "联系电话", "项目属性", "项目类型", "项目期限",
                 "填报日期", "项目资金", "年度总体目标"}  # fmt: skip

# Column headers of the funding block and the indicator block, by form.
_FUNDING_COLUMNS = {
    SELFEVAL: {
        "年初预算数": "initial", "年初预算": "initial",
        "全年预算数": "adjusted", "调整后预算数": "adjusted", "全年预算": "adjusted",
        "全年执行数": "spent", "执行数": "spent", "全年实际执行数": "spent",
        "分值": "points", "执行率": "rate", "得分": "score",
    },
    MONITORING: {
        "年初预算数": "initial", "年初预算": "initial",
        "调整后预算数": "adjusted", "全年预算数": "adjusted", "调整后预算": "adjusted",
        "预算执行数": "spent", "执行数": "spent", "累计执行数": "spent",
        "执行率": "rate", "预算执行率": "rate",
        "全年预计执行数": "forecast", "全年预计执行": "forecast", "预计全年执行数": "forecast",
        "分值": "points",
    },
}  # fmt: skip
_INDICATOR_COLUMNS = {
    SELFEVAL: {
        "一级指标": "level1", "二级指标": "level2", "三级指标": "indicator",
        "年度指标值": "target", "指标值": "target", "年度目标值": "target",
        "实际完成值": "actual", "完成值": "actual", "实际值": "actual", "全年实际值": "actual",
        "分值": "points", "得分": "score", "计量单位": "unit",
        "偏差原因分析及改进措施": "reason", "偏差原因": "reason", "偏差原因分析": "reason",
        "偏差原因及改进措施": "reason",
    },
    MONITORING: {
        "一级指标": "level1", "二级指标": "level2", "三级指标": "indicator",
        "年度指标值": "target", "指标值": "target", "年度目标值": "target",
        "当前完成值": "actual", "执行情况": "actual", "完成值": "actual",
        "实际完成值": "actual", "累计完成值": "actual",
        "全年预计完成值": "forecast", "全年预计完成情况": "forecast", "全年预计完成": "forecast",
        "偏差原因类别": "category", "偏差类别": "category",
        "偏差原因": "reason", "偏差原因分析": "reason", "偏差原因说明": "reason",
        "原因说明": "reason", "偏差原因分析及改进措施": "reason",
        "完成目标可能性": "likelihood", "分值": "points", "计量单位": "unit",
    },
}  # fmt: skip
# "1-7月执行数", "截至7月执行情况", "7月末累计执行数": a header that names the month
_MONTH_HEADER = re.compile(
    r"^(?:截至|截止)?(?:20\d\d年)?(?:(?:1|一)月?[-—－~～至到])?(\d{1,2})月(?:底|末|份)?(?:累计)?(.+)$"
)
_YEAR = re.compile(r"(20\d\d)\s*年")
_MONTH_IN_TITLE = (
    re.compile(r"(?:1|一)\s*月?\s*[-—－~～至到]\s*(\d{1,2})\s*月"),
    re.compile(r"截[至止]\s*(?:20\d\d\s*年\s*)?(\d{1,2})\s*月"),
    re.compile(r"20\d\d\s*年\s*(\d{1,2})\s*月"),
)
_UNIT_IN_TEXT = re.compile(
    r"[(（](?:单位[:：])?\s*(千元|万元|亿元|元)\s*[)）]|单位\s*[:：]\s*(千元|万元|亿元|元)"
)
_CODE_NAME = (
    re.compile(r"^([0-9A-Za-z][0-9A-Za-z.\-_]*?)\s*[-－—_:：\s]\s*(\S.*)$"),
    re.compile(r"^(.+?)\s*[(（]\s*([0-9A-Za-z][0-9A-Za-z.\-_]*)\s*[)）]$"),
)
_TICK = {"√", "✓", "✔", "☑", "●", "是", "1", "v", "V", "y", "Y", "x", "X", "×", "■"}
_FOOTER = ("总分", "合计", "总计", "综合得分", "自评总分")
_GRADE_LABEL = re.compile(r"^(?:自评|评价|绩效|综合)?等级")
_GRADES = (("不合格", "差"), ("优秀", "优"), ("良好", "良"), ("合格", "中"), ("及格", "中"),
           ("较差", "差"), ("优", "优"), ("良", "良"), ("中", "中"), ("差", "差"))  # fmt: skip
_SIGNATURE = ("注", "说明", "填表人", "审核人", "填报人", "联系电话", "单位负责人", "填报日期")


@dataclass
class Cell:
    row: int  # 0-based
    col: int  # 0-based index into Sheet.columns
    text: str


@dataclass
class FundingRow:
    source: str  # total, 当年财政拨款, 上年结转资金, 其他资金
    excel_row: int
    values: dict[str, Decimal | None]


@dataclass
class IndicatorRow:
    excel_row: int
    level1: str
    level2: str
    name: str
    target: Target
    actual_value: Decimal | None
    actual_text: str | None
    points: Decimal | None
    score: Decimal | None
    reason: str | None
    forecast: str | None = None  # 全年预计完成值 as written
    category: str | None = None  # 偏差原因类别 (ticked categories joined by 、)
    likelihood: str | None = None  # 确定能 / 有可能 / 完全不可能
    forecast_value: Decimal | None = None  # the forecast as a number where it is one


@dataclass
class Form:
    layout: str
    sheet: str | None
    year: int | None = None
    month: int | None = None  # monitoring: the month the figures are at
    project_name: str | None = None
    project_code: str | None = None  # as written in the form, if it has one
    department: str | None = None
    department_code: str | None = None  # when written "code-name"
    unit_name: str | None = None
    unit_code: str | None = None
    funding: list[FundingRow] = field(default_factory=list)
    funding_columns: dict[str, str] = field(default_factory=dict)  # key -> header text
    goal_expected: str | None = None
    goal_actual: str | None = None
    indicators: list[IndicatorRow] = field(default_factory=list)
    claimed_total: Decimal | None = None
    claimed_grade: str | None = None
    notes: list[str] = field(default_factory=list)
    refs: dict[str, Ref] = field(default_factory=dict)
    header_row: int | None = None  # 1-based row of the indicator header

    @property
    def total(self) -> FundingRow | None:
        return next((f for f in self.funding if f.source == "total"), None)

    def derived_code(self) -> str:
        """A stable code for a form that gives none: the unit's code (else the department's
        code, else ZP) and a hash of the unit and project names."""
        basis = f"{self.unit_name or self.department or ''}|{self.project_name or ''}"
        digest = hashlib.sha256(basis.encode("utf-8")).hexdigest()[:8].upper()
        prefix = self.unit_code or self.department_code or "ZP"
        return f"{prefix}-{digest}"


class Grid:
    """A sheet's cells addressed by (row, column), with labels normalised once."""

    def __init__(self, sheet: Sheet, limit: int | None = SCAN_ROWS):
        self.sheet = sheet
        self.n_rows = sheet.n_rows if limit is None else min(sheet.n_rows, limit)
        self.n_cols = len(sheet.columns)
        self._norm: dict[tuple[int, int], str] = {}

    def text(self, i: int, j: int) -> str | None:
        if i >= self.n_rows or j >= self.n_cols:
            return None
        return cells.clean_text(self.sheet.columns[j][i])

    def key(self, i: int, j: int) -> str:
        hit = self._norm.get((i, j))
        if hit is None:
            hit = self._norm[(i, j)] = norm(self.text(i, j))
        return hit

    def row_texts(self, i: int) -> list[tuple[int, str]]:
        return [(j, t) for j in range(self.n_cols) if (t := self.text(i, j)) is not None]

    def find_rows(self, predicate, start: int = 0, stop: int | None = None) -> list[int]:
        stop = self.n_rows if stop is None else min(stop, self.n_rows)
        return [i for i in range(start, stop) if predicate(i)]

    def right_value(self, i: int, j: int) -> tuple[int, str] | None:
        for k in range(j + 1, self.n_cols):
            text = self.text(i, k)
            if text is None:
                continue
            key = norm(text)
            if key in _HEADER_FIELDS or key in _OTHER_LABELS:
                return None
            return k, text
        return None

    def cell_name(self, j: int) -> str:
        return column_letter(self.sheet.col_offset + j)


def _split_code_name(text: str) -> tuple[str | None, str]:
    """ "123001-绿化管理所" → ("123001", "绿化管理所"); "绿化管理所（123001）" too."""
    clean = unicodedata.normalize("NFKC", text).strip()
    match = _CODE_NAME[0].match(clean)
    if match and any(ch.isdigit() for ch in match.group(1)):
        return match.group(1), match.group(2).strip()
    match = _CODE_NAME[1].match(clean)
    if match and any(ch.isdigit() for ch in match.group(2)):
        return match.group(2), match.group(1).strip()
    return None, text.strip()


# --- signals (for layout detection) ---------------------------------------------------------


@dataclass
class FormSignals:
    form: int = 0  # how much the sheet looks like a form of either kind
    selfeval: int = 0
    monitoring: int = 0
    found: list[str] = field(default_factory=list)


def form_signals(sheet: Sheet) -> FormSignals:
    """Count the labels that tell a form, and which form, from anything else."""
    grid = Grid(sheet, limit=120)
    sig = FormSignals()
    keys: set[str] = set()
    titles = []
    for i in range(grid.n_rows):
        row = grid.row_texts(i)
        for j, _text in row:
            key = grid.key(i, j)
            keys.add(key)
            if i < 6 and ("自评" in key or "监控" in key):
                titles.append(key)
            if (
                key == "项目名称"
                and grid.right_value(i, j)
                and not _score_row(_row_cells(sheet, i))
            ):
                keys.add("@项目名称标签")
        names = {read_header(t).name for _j, t in row}
        if {"一级指标", "三级指标"} <= names and not names & {"项目编码", "年度", "项目代码"}:
            keys.add("@指标块")
    if any(_fund_label(k) == "total" for k in keys):
        sig.form += 1
        sig.found.append("年度资金总额")
    for label in ("@项目名称标签", "@指标块"):
        if label in keys:
            sig.form += 1
            sig.found.append(label.strip("@"))
    if titles:
        sig.form += 1
    if any("自评" in t for t in titles):
        sig.selfeval += 3
        sig.found.append("自评表标题")
    if any("监控" in t for t in titles):
        sig.monitoring += 3
        sig.found.append("监控表标题")
    names = {read_header(k).name for k in keys}
    for label in ("全年执行数", "实际完成值", "得分", "总分", "偏差原因分析及改进措施"):
        if label in names:
            sig.selfeval += 1
    for label in ("全年预计执行数", "全年预计完成值", "全年预计完成情况", "完成目标可能性",
                  "预算执行数", "当前完成值"):  # fmt: skip
        if label in names:
            sig.monitoring += 1
    if any(_MONTH_HEADER.match(n) for n in names if "执行" in n or "完成" in n):
        sig.monitoring += 1
    return sig


# --- parsing -----------------------------------------------------------------------------------


class _Reader:
    def __init__(self, form: Form, grid: Grid, log: IssueLog, seen: Counter,
                 content: bytes | None):  # fmt: skip
        self.form, self.grid, self.log, self.seen = form, grid, log, seen
        self.content = content
        self._percent: set[tuple[int, int]] | None = None

    def issue(self, i: int | None, column: str | None, zh: str, en: str) -> None:
        self.log.add(self.form.sheet, None if i is None else i + 1, column, zh, en)

    def marked(self, i: int, j: int, header: str) -> bool:
        """A blank cell that is an Excel error or a formula without its result: logged."""
        sheet = self.grid.sheet
        mark = sheet.marks.get((i, sheet.col_offset + j)) if sheet.marks else None
        if mark is None or sheet.columns[j][i] is not None:
            return False
        self.log.add_cell_error(self.form.sheet, i + 1, header, marked_cell_error(mark))
        return True

    def number(self, i: int, j: int, header: str) -> tuple[bool, Decimal | None]:
        raw = self.grid.text(i, j)
        if raw is None:
            return not self.marked(i, j, header), None
        text = raw
        if text.endswith("%"):
            text = text[:-1]
        try:
            return True, cells.parse_decimal(text, self.seen)
        except CellError as err:
            self.log.add_cell_error(self.form.sheet, i + 1, header, err)
            return False, None

    def is_percent(self, i: int, j: int) -> bool:
        if self.content is None or self.form.sheet is None:
            return False
        if self._percent is None:
            self._percent = percent_cells(self.content, self.form.sheet)
        return (i, self.grid.sheet.col_offset + j) in self._percent


def parse_form(sheet: Sheet, layout: str, log: IssueLog, seen: Counter,
               content: bytes | None = None) -> Form | None:  # fmt: skip
    """Read one sheet as a form of this layout. Problems go to the log; None when the
    sheet holds nothing of the form at all."""
    grid = Grid(sheet, limit=None if sheet.n_rows <= 5000 else 5000)
    form = Form(layout, sheet.name)
    reader = _Reader(form, grid, log, seen, content)
    funding_header = _find_funding_header(grid, layout)
    indicator_header = _find_indicator_header(grid)
    if funding_header is None and indicator_header is None:
        return None
    top = min(r for r in (funding_header, indicator_header) if r is not None)
    _read_title(form, grid, top)
    _read_header_fields(form, grid, top)
    unit_line = _unit_line(grid, top)
    if funding_header is not None:
        stop = (
            indicator_header
            if indicator_header is not None and indicator_header > funding_header
            else None
        )
        _read_funding(reader, funding_header, stop, unit_line)
    _read_goals(form, grid)
    if indicator_header is not None:
        _read_indicators(reader, indicator_header)
    _check(reader, funding_header)
    return form


def _read_title(form: Form, grid: Grid, top: int) -> None:
    texts = [t for i in range(min(top + 1, grid.n_rows)) for _j, t in grid.row_texts(i)]
    for text in texts:
        clean = unicodedata.normalize("NFKC", text)
        if form.year is None and (match := _YEAR.search(clean)):
            form.year = int(match.group(1))
        if form.month is None:
            for pattern in _MONTH_IN_TITLE:
                match = pattern.search(clean)
                if match and 1 <= int(match.group(1)) <= 12:
                    form.month = int(match.group(1))
                    break


def _read_header_fields(form: Form, grid: Grid, top: int) -> None:
    for i in range(min(top + 1, grid.n_rows)):
        for j, _text in grid.row_texts(i):
            key = grid.key(i, j)
            what = _HEADER_FIELDS.get(key)
            if what is None and key.startswith("年度") and key[2:].isdigit():
                continue
            if what is None:
                continue
            found = grid.right_value(i, j)
            if found is None:
                continue
            value = found[1]
            ref = Ref(form.sheet, i + 1, grid.text(i, j) or key)
            if what == "project_name" and form.project_name is None:
                form.project_name, form.refs["project_name"] = value, ref
            elif what == "project_code" and form.project_code is None:
                form.project_code = cells.parse_code(value)
            elif what == "department" and form.department is None:
                code, name = _split_code_name(value)
                form.department, form.department_code = name, code
                form.refs["department"] = ref
            elif what == "unit" and form.unit_name is None:
                code, name = _split_code_name(value)
                form.unit_name, form.unit_code = name, code


def _unit_line(grid: Grid, top: int) -> str | None:
    for i in range(min(top, grid.n_rows)):
        for _j, text in grid.row_texts(i):
            match = _UNIT_IN_TEXT.search(unicodedata.normalize("NFKC", text).replace(" ", ""))
            if match and "单位" in match.group(0):
                return match.group(1) or match.group(2)
    return None


def _match_column(layout: str, table: dict[str, dict[str, str]], text: str) -> str | None:
    header = read_header(text)
    aliases = table[layout]
    key = aliases.get(header.name)
    if key is None and (match := _MONTH_HEADER.match(header.name)):
        key = aliases.get(match.group(2))
    return key


def _header_month(text: str) -> int | None:
    match = _MONTH_HEADER.match(read_header(text).name)
    return int(match.group(1)) if match and 1 <= int(match.group(1)) <= 12 else None


def _find_funding_header(grid: Grid, layout: str) -> int | None:
    for i in range(grid.n_rows):
        keys = {_match_column(layout, _FUNDING_COLUMNS, t) for _j, t in grid.row_texts(i)}
        if {"initial", "adjusted"} <= keys or {"adjusted", "spent"} <= keys:
            return i
    return None


def _find_indicator_header(grid: Grid) -> int | None:
    for i in range(grid.n_rows):
        names = {read_header(t).name for _j, t in grid.row_texts(i)}
        if {"一级指标", "三级指标"} <= names:
            return i
    return None


def _read_funding(reader: _Reader, header: int, stop: int | None, unit_line: str | None) -> None:
    form, grid = reader.form, reader.grid
    columns: dict[str, int] = {}
    units: dict[str, str | None] = {}
    block_unit = None
    first_value_col = grid.n_cols
    for j, text in grid.row_texts(header):
        key = _match_column(form.layout, _FUNDING_COLUMNS, text)
        if key is not None and key not in columns:
            columns[key] = j
            form.funding_columns[key] = text
            first_value_col = min(first_value_col, j)
            head = read_header(text)
            units[key] = head.unit.split("/")[0] if head.unit else None
            if key == "spent" and form.layout == MONITORING and form.month is None:
                form.month = _header_month(text)
        elif key is None:
            match = _UNIT_IN_TEXT.search(unicodedata.normalize("NFKC", text).replace(" ", ""))
            if match:
                block_unit = match.group(1) or match.group(2)
    end = grid.n_rows if stop is None else stop
    rows: list[int] = []
    misses = 0
    for i in range(header + 1, min(end, header + 12)):
        label = None
        for j in range(first_value_col):
            cell = grid.text(i, j)
            if cell is None:
                continue
            if (found := _fund_label(cell)) is not None:
                label = found
            elif block_unit is None and (match := _UNIT_IN_TEXT.search(
                    unicodedata.normalize("NFKC", cell).replace(" ", ""))):  # fmt: skip
                block_unit = match.group(1) or match.group(2)
        if label is None:
            misses += 1
            if rows and misses >= 2:
                break
            continue
        misses = 0
        rows.append(i)
        values: dict[str, Decimal | None] = {}
        for key, j in columns.items():
            if key == "rate":
                continue
            ok, value = reader.number(i, j, form.funding_columns[key])
            if not ok:
                continue
            if key in ("initial", "adjusted", "spent", "forecast") and value is not None:
                unit = units.get(key)
                if unit is not None and unit not in MONEY_UNITS:
                    reader.issue(header, form.funding_columns[key],
                                 f"金额单位「{unit}」无法识别（应为 元 或 万元）",
                                 f"money unit '{unit}' not recognised (use 元 or 万元)")  # fmt: skip
                    continue
                factor = MONEY_UNITS[unit or block_unit or unit_line or "元"]
                exact = value * factor
                value = cells.round_half_up(exact, 2)
                if value != exact:
                    reader.seen["rounded"] += 1
                if abs(value) >= cells.MAX_MONEY:
                    reader.issue(i, form.funding_columns[key], "金额过大", "amount is too large")
                    continue
            values[key] = value
        form.funding.append(FundingRow(label, i + 1, values))
    for key, unit in units.items():
        other = block_unit or unit_line
        if unit is not None and other is not None and unit != other and unit in MONEY_UNITS:
            reader.issue(header, form.funding_columns[key],
                         f"表头单位「{unit}」与“{other}”的标注矛盾",
                         f"the header's unit '{unit}' contradicts the unit '{other}' given for "
                         "the block")  # fmt: skip
    money_keys = [k for k in ("initial", "adjusted", "spent", "forecast") if k in columns]
    used = {units.get(k) or block_unit or unit_line or "元" for k in money_keys}
    if used and used != {"元"}:
        unit = "、".join(sorted(used))
        form.notes.append(f"项目资金按{unit}换算为元 | funding amounts converted from {unit} to 元")
    elif money_keys:
        form.notes.append("项目资金未标单位，按元读取 | funding amounts carry no unit: read as 元")


def _read_goals(form: Form, grid: Grid) -> None:
    for i in range(grid.n_rows):
        row = {grid.key(i, j): j for j, _t in grid.row_texts(i)}
        if "预期目标" in row and "实际完成情况" in row:
            below = i + 1
            form.goal_expected = grid.text(below, row["预期目标"])
            form.goal_actual = grid.text(below, row["实际完成情况"])
            return


def _read_indicators(reader: _Reader, header: int) -> None:
    form, grid = reader.form, reader.grid
    form.header_row = header + 1
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    for j, text in grid.row_texts(header):
        key = _match_column(form.layout, _INDICATOR_COLUMNS, text)
        if key is not None and key not in columns:
            columns[key], headers[key] = j, text
            if key == "actual" and form.layout == MONITORING and form.month is None:
                form.month = _header_month(text)
    # the monitoring form's ticked sub-columns under 偏差原因分析 and 完成目标可能性: a row
    # under the header naming at least two categories or two likelihoods
    ticks: dict[int, tuple[str, str]] = {}
    start = header + 1
    sub = {grid.key(start, j): j for j, _t in grid.row_texts(start)}
    if form.layout == MONITORING and (
        len(set(sub) & set(DEVIATION_CATEGORIES)) >= 2 or len(set(sub) & set(LIKELIHOODS)) >= 2
    ):
        for label, j in sub.items():
            if label in DEVIATION_CATEGORIES:
                ticks[j] = ("category", label)
            elif label in LIKELIHOODS:
                ticks[j] = ("likelihood", label)
        # the merged headers above the ticks are no columns of their own: map again without them
        columns = {k: j for k, j in columns.items()
                   if j not in ticks and k not in ("category", "likelihood", "reason")}  # fmt: skip
        for j, text in [*grid.row_texts(header), *grid.row_texts(start)]:
            key = _match_column(form.layout, _INDICATOR_COLUMNS, text)
            if (
                key is not None
                and key not in columns
                and j not in ticks
                and norm(text) not in ("偏差原因分析", "完成目标可能性")
            ):
                columns[key], headers[key] = j, text
        start += 1
    for key in ("level1", "indicator"):
        if key not in columns:
            return
    level1 = level2 = None
    excel_col = {k: headers[k] for k in headers}
    for i in range(start, grid.n_rows):
        texts = grid.row_texts(i)
        if not texts:
            continue
        if _footer(reader, i, texts, columns):
            break
        first = norm(texts[0][1])
        if len(texts) == 1 and first.startswith(_SIGNATURE):
            break
        raw_l1 = grid.text(i, columns["level1"])
        raw_l2 = grid.text(i, columns["level2"]) if "level2" in columns else None
        if raw_l1 is not None:
            level1, level2 = normalise_level(raw_l1), None
        if raw_l2 is not None:
            level2 = normalise_level(raw_l2)
        name = grid.text(i, columns["indicator"])
        if name is None:
            continue
        if level1 is None:
            reader.issue(i, excel_col["level1"], "一级指标为空", "level 1 is empty")
            continue
        row = _indicator_row(reader, i, columns, excel_col, ticks, level1, level2 or "", name)
        if row is not None:
            form.indicators.append(row)


def _footer(reader: _Reader, i: int, texts: list[tuple[int, str]], columns: dict[str, int]) -> bool:
    """A 总分 row (the claimed total in its 得分 cell) or a 等级 cell ends the indicators."""
    form, grid = reader.form, reader.grid
    found = False
    for j, text in texts:
        key = norm(text)
        if key in _FOOTER or key.startswith("总分"):
            found = True
            score_col = columns.get("score")
            value_text = grid.text(i, score_col) if score_col is not None else None
            if value_text is None:
                numbers = [(k, t) for k, t in texts if k > j and _is_number(t)]
                value_text = numbers[-1][1] if numbers else None
                score_col = numbers[-1][0] if numbers else None
            if value_text is not None and score_col is not None and form.claimed_total is None:
                ok, value = reader.number(i, score_col, "总分")
                if ok and value is not None:
                    form.claimed_total = cells.round_half_up(value, 2)
        grade_match = _GRADE_LABEL.match(key)
        if grade_match:
            found = True
            rest = key[grade_match.end() :].strip(":")
            if not rest:
                nxt = grid.right_value(i, j) or (
                    (j, grid.text(i + 1, j)) if grid.text(i + 1, j) else None
                )
                rest = norm(nxt[1]) if nxt else ""
            form.claimed_grade = _grade(reader, i, rest) if rest else None
    if found:
        # a 等级 on the row below the 总分 row
        for j, text in grid.row_texts(i + 1):
            key = norm(text)
            if (m := _GRADE_LABEL.match(key)) and form.claimed_grade is None:
                rest = key[m.end() :].strip(":")
                if not rest and (nxt := grid.right_value(i + 1, j)):
                    rest = norm(nxt[1])
                form.claimed_grade = _grade(reader, i + 1, rest) if rest else None
    return found


def _is_number(text: str) -> bool:
    try:
        return cells.parse_decimal(text) is not None
    except CellError:
        return False


def _grade(reader: _Reader, i: int, text: str) -> str | None:
    for word, grade in _GRADES:
        if text.startswith(word):
            return grade
    reader.form.notes.append(f"等级「{text}」无法识别（应为优/良/中/差），未导入 | grade '{text}' "
                             "not recognised (优/良/中/差); not imported")  # fmt: skip
    return None


def _indicator_row(reader: _Reader, i: int, columns: dict[str, int], headers: dict[str, str],
                   ticks: dict[int, tuple[str, str]], level1: str, level2: str,
                   name: str) -> IndicatorRow | None:  # fmt: skip
    grid = reader.grid

    def text(key: str) -> str | None:
        return grid.text(i, columns[key]) if key in columns else None

    if any(reader.marked(i, columns[k], headers.get(k) or headers["indicator"])
           for k in ("target", "actual") if k in columns):  # fmt: skip
        return None
    unit_raw = text("unit")
    lower_is_better = level1 == "成本指标" or "成本" in level2
    try:
        target = parse_target(
            None, text("target"), unit_raw,
            percent_cell="target" in columns and reader.is_percent(i, columns["target"]),
            lower_is_better=lower_is_better,
        )  # fmt: skip
    except TargetError as err:
        column = headers.get("target") or headers["indicator"]
        reader.log.add_cell_error(reader.form.sheet, i + 1, column, err)
        return None
    actual_raw = text("actual")
    value = actual_text = None
    if actual_raw is not None and norm(actual_raw) not in ("-", "—", "/", "——"):
        value, actual_text = _actual_value(
            actual_raw, "actual" in columns and reader.is_percent(i, columns["actual"]), target.unit
        )
    ok = True
    numbers: dict[str, Decimal | None] = {}
    for key in ("points", "score"):
        if key in columns:
            good, number = reader.number(i, columns[key], headers[key])
            ok &= good
            if number is not None and not 0 <= abs(number) < 1000000:
                reader.issue(i, headers[key], "分值/得分超出范围", "points/score out of range")
                ok = False
            numbers[key] = cells.round_half_up(number, 2) if number is not None else None
    if not ok:
        return None
    category = text("category")
    likelihood = text("likelihood")
    for j, (what, label) in ticks.items():
        mark = grid.text(i, j)
        if mark is not None and (mark in _TICK or norm(mark) in _TICK):
            if what == "category":
                category = f"{category}、{label}" if category else label
            else:
                likelihood = label
    if likelihood is not None:
        known = _likelihood(likelihood)
        if known is None:
            reader.issue(i, headers.get("likelihood", "完成目标可能性"),
                         f"完成目标可能性「{likelihood}」应为 确定能、有可能 或 完全不可能",
                         f"likelihood '{likelihood}' must be 确定能, 有可能 or 完全不可能")  # fmt: skip
            return None
        likelihood = known
    forecast_raw = text("forecast")
    forecast_value = forecast_text = None
    if forecast_raw is not None and norm(forecast_raw) not in ("-", "—", "/", "——"):
        forecast_value, forecast_text = _actual_value(
            forecast_raw, "forecast" in columns and reader.is_percent(i, columns["forecast"]),
            target.unit)  # fmt: skip
    return IndicatorRow(
        excel_row=i + 1, level1=level1, level2=level2, name=name, target=target,
        actual_value=value, actual_text=actual_text, points=numbers.get("points"),
        score=numbers.get("score"), reason=text("reason"), forecast_value=forecast_value,
        forecast=forecast_text, category=category, likelihood=likelihood,
    )  # fmt: skip


_LIKELIHOOD_SUFFIXES = ("完成目标", "实现目标", "达成目标", "完成", "实现", "达成", "达到")


def _likelihood(text: str) -> str | None:
    """确定能 / 有可能 / 完全不可能, also written with 完成 or 实现 after it ("有可能完成");
    anything else (不确定能, 可能, 大概) is None: the form allows only the three."""
    key = norm(text).rstrip("。.")
    for suffix in _LIKELIHOOD_SUFFIXES:
        if key.endswith(suffix) and key.removesuffix(suffix) in LIKELIHOODS:
            key = key.removesuffix(suffix)
            break
    return key if key in LIKELIHOODS else None


def _check(reader: _Reader, funding_header: int | None) -> None:
    form = reader.form
    name_zh = FORM_NAMES_ZH[form.layout]
    if form.year is None:
        reader.issue(None, None, f"{name_zh}的标题中没有年度（如“2024年度{name_zh}”）",
                     f"the {form.layout} has no year in its title (e.g. '2024年度{name_zh}')")  # fmt: skip
    if form.project_name is None:
        reader.issue(None, "项目名称", "未找到项目名称", "the project name (项目名称) is missing")
    if form.department is None:
        reader.issue(None, "主管部门", "未找到主管部门", "the department (主管部门) is missing")
    if funding_header is None or not form.funding:
        reader.issue(None, "项目资金", "未找到项目资金（年度资金总额）一栏",
                     "the funding block (项目资金, 年度资金总额) is missing")  # fmt: skip
    elif "adjusted" not in form.funding_columns:
        reader.issue(funding_header, None, "项目资金一栏缺少全年预算数（调整后预算数）",
                     "the funding block has no full-year budget (全年预算数/调整后预算数)")  # fmt: skip
    if form.layout == MONITORING and form.month is None:
        reader.issue(None, None, "未能确定监控月份：请在标题写明“截至X月”或在表头写“1-X月执行数”",
                     "the month of the monitoring table cannot be told: write 截至X月 in the "
                     "title or 1-X月执行数 in the header")  # fmt: skip
    for row in form.funding:
        for key in ("initial", "adjusted"):
            value = row.values.get(key)
            if value is not None and value < 0:
                reader.issue(row.excel_row - 1, form.funding_columns[key],
                             f"预算数不能为负（{value}元）", f"a budget cannot be negative ({value} 元)")  # fmt: skip


# --- records -------------------------------------------------------------------------------------


def _money(form: Form, key: str) -> tuple[Decimal | None, bool]:
    """The amount of the whole project: the 年度资金总额 row's, or the sum of the 其中 rows
    when the total is left at 0 or blank while they hold money. (value, from the 其中 rows)."""
    total = form.total
    value = total.values.get(key) if total else None
    parts = [f.values.get(key) for f in form.funding if f.source != "total"]
    parts_sum = sum((p for p in parts if p is not None), Decimal(0))
    if (value is None or value == 0) and parts_sum != 0:
        return parts_sum, True
    return value, False


def emit_form(form: Form, code: str, department_code: str, new_department: bool,
              data: FileData, log: IssueLog) -> None:  # fmt: skip
    """The records of one form, under the project code settled by the caller."""
    if form.year is None or form.project_name is None:
        return
    sheet = form.sheet
    year = form.year
    name_ref = form.refs.get("project_name", Ref(sheet, 1, "项目名称"))
    initial, initial_parts = _money(form, "initial")
    adjusted, adjusted_parts = _money(form, "adjusted")
    if adjusted is None:
        adjusted = Decimal(0)
    absent = ["budget_type", "category", "service_class", "is_key", "is_sensitive",
              "targets_disclosed"]  # fmt: skip
    if form.unit_code is None and form.unit_name is None:
        absent.append("unit_code")
    if initial is None:
        absent.append("initial_budget_yuan")
    unit_code = form.unit_code or form.unit_name
    project = {
        "year": year, "project_code": code, "project_name": form.project_name,
        "department_code": department_code, "unit_code": unit_code, "budget_type": None,
        "category": None, "service_class": None, "is_key": None, "is_sensitive": None,
        "targets_disclosed": None, "initial_budget_yuan": initial,
        "adjusted_budget_yuan": adjusted, "_absent": tuple(sorted(absent)),
    }  # fmt: skip
    if not _keep_first(
        log, data, data.projects, (year, code), project, name_ref, "项目", "project"
    ):
        return
    data.rows_read["projects"] += 1
    if new_department:
        data.departments.setdefault(department_code, ({
            "department_name": form.department, "district_name": None, "is_sensitive": None,
        }, name_ref))  # fmt: skip
    if unit_code is not None:
        data.units.setdefault(unit_code, ({"unit_name": form.unit_name or unit_code,
                                           "department_code": department_code}, name_ref))  # fmt: skip
    if initial_parts or adjusted_parts:
        form.notes.append("年度资金总额为0，预算数取其中各项之和 | 年度资金总额 left at 0: the "
                          "budget is the sum of the 其中 rows")  # fmt: skip

    # spending: year end for a self-evaluation, the table's month for monitoring
    month = 12 if form.layout == SELFEVAL else form.month
    spent, spent_parts = _money(form, "spent")
    forecast, _ = _money(form, "forecast")
    if month is not None and (spent is not None or forecast is not None):
        spent_col = form.funding_columns.get("spent", "全年执行数")
        if spent_parts:
            rows = [(f.source, f.values.get("spent"), f.values.get("forecast"), f.excel_row)
                    for f in form.funding if f.source != "total"
                    and (f.values.get("spent") is not None or f.values.get("forecast") is not None)]  # fmt: skip
            form.notes.append("年度资金总额的执行数为0，按其中各资金来源分别导入 | 年度资金总额 "
                              "left at 0: spending imported per fund source")  # fmt: skip
        else:
            total_row = form.total.excel_row if form.total else name_ref.row
            rows = [("", spent, forecast, total_row)]
        for source, amount, fc, excel_row in rows:
            key = (year, month, code, source, "")
            record = {"amount": amount if amount is not None else Decimal(0), "forecast_yuan": fc}
            if _keep_first(log, data, data.spending, key, record, Ref(sheet, excel_row, spent_col),
                           "同一年度、月份、项目、资金来源", "year, month, project and fund source"):  # fmt: skip
                data.rows_read["execution"] += 1
        data.spending_mode[(year, code)] = ("cumulative", Ref(sheet, name_ref.row, spent_col))
        parts_sum = sum((f.values.get("spent") or Decimal(0) for f in form.funding
                         if f.source != "total"), Decimal(0))  # fmt: skip
        if not spent_parts and parts_sum and spent is not None and parts_sum != spent:
            form.notes.append(f"其中各项执行数之和{parts_sum}元与年度资金总额{spent}元不符，按总额导入"
                              f" | the 其中 rows' spending ({parts_sum} 元) does not add up to the "
                              f"total ({spent} 元); the total was imported")  # fmt: skip

    # indicators and their actuals
    act_month = 12 if form.layout == SELFEVAL else form.month
    for row in form.indicators:
        ind_key = (year, code, row.level1, row.level2, row.name)
        t = row.target
        definition = {
            "operator": t.operator, "target_value": t.value, "target_text": t.text,
            "unit": t.unit, "points": row.points, "is_cumulative": None,
        }  # fmt: skip
        ref = Ref(sheet, row.excel_row, "三级指标")
        if ind_key in data.indicators:
            _merge_definition(log, data, ind_key, definition, ref)
        else:
            data.indicators[ind_key] = (definition, ref)
            data.rows_read["indicators"] += 1
        reason = row.reason
        remarks = row.forecast or row.category or row.likelihood
        has_actual = row.actual_text is not None or row.score is not None
        if not has_actual and (reason or remarks):
            form.notes.append(f"指标「{row.name}」无完成值，其偏差原因等说明未导入 | indicator "
                              f"'{row.name}' has no value: its reason and remarks not imported")  # fmt: skip
        if act_month is not None and has_actual:
            actual = {
                "actual_value": row.actual_value, "actual_text": row.actual_text,
                "period_target": None, "reason": reason, "claimed_score": row.score,
                "forecast_value": row.forecast_value, "forecast_text": row.forecast,
                "deviation_category": row.category, "completion_likelihood": row.likelihood,
            }  # fmt: skip
            _keep_first(log, data, data.actuals, (*ind_key, act_month), actual,
                        Ref(sheet, row.excel_row, "实际完成值"), "同一指标同一月份的完成值",
                        "indicator and month")  # fmt: skip

    if form.layout == SELFEVAL:
        total = form.total
        data.self_evaluations[(year, code)] = ({
            "execution_points": _points(total.values.get("points")) if total else None,
            "claimed_execution_score": _points(total.values.get("score")) if total else None,
            "claimed_total_score": form.claimed_total,
            "claimed_grade": form.claimed_grade,
            "goal_expected": form.goal_expected, "goal_actual": form.goal_actual,
        }, name_ref)  # fmt: skip


def _points(value: Decimal | None) -> Decimal | None:
    return cells.round_half_up(value, 2) if value is not None else None
