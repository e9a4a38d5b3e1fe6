"""Typed rows of each kind of table → the records of one file, checked within the file:
the same key twice with different values, negative budgets, indicator operators and
targets, cost output quantities, dates in order.

A file may hold several sheets; their records are gathered per kind in one FileData, so the
same key on two sheets of one file is checked like two rows of one sheet."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from perfbudget.importer import cells
from perfbudget.importer.counts import RECORD_KINDS
from perfbudget.importer.errors import CellError, IssueLog
from perfbudget.importer.readers import percent_cells
from perfbudget.importer.tables import Row, Table, parse_columns, read_rows

BUDGET_TYPES = {
    "一般公共预算": "一般公共预算",
    "一般公共": "一般公共预算",
    "政府性基金预算": "政府性基金预算",
    "政府性基金": "政府性基金预算",
    "国有资本经营预算": "国有资本经营预算",
    "国有资本经营": "国有资本经营预算",
    "社会保险基金预算": "社会保险基金预算",
    "社会保险基金": "社会保险基金预算",
}


class Ref(NamedTuple):
    """Where a record came from: for messages that point back at the file."""

    sheet: str | None
    row: int
    column: str  # the header of the column the message is about


@dataclass
class FileData:
    file_name: str
    projects: dict[tuple, tuple[dict, Ref]] = field(default_factory=dict)
    departments: dict[str, tuple[dict, Ref]] = field(default_factory=dict)
    units: dict[str, tuple[dict, Ref]] = field(default_factory=dict)
    districts: set[str] = field(default_factory=set)
    # (year, month, project, fund, econ) -> record
    spending: dict[tuple, tuple[dict, Ref]] = field(default_factory=dict)
    spending_mode: dict[tuple, tuple[str, Ref]] = field(default_factory=dict)  # (year, project)
    indicators: dict[tuple, tuple[dict, Ref]] = field(default_factory=dict)
    actuals: dict[tuple, tuple[dict, Ref]] = field(default_factory=dict)  # key + (month,)
    actual_only: dict[tuple, Ref] = field(default_factory=dict)  # indicator keys to look up
    costs: dict[tuple, tuple[dict, Ref]] = field(default_factory=dict)
    cost_outputs: dict[tuple, tuple[tuple, Ref]] = field(default_factory=dict)
    cost_standards: dict[tuple, tuple[dict, Ref]] = field(default_factory=dict)
    rectifications: dict[tuple, tuple[dict, Ref]] = field(default_factory=dict)
    # what a unit claimed in a self-evaluation table: (year, project) -> record
    self_evaluations: dict[tuple, tuple[dict, Ref]] = field(default_factory=dict)
    # next year's budget requests: (year, project) -> record
    budget_requests: dict[tuple, tuple[dict, Ref]] = field(default_factory=dict)
    # project references to check: (year or None, code) -> first Ref and count
    project_refs: dict[tuple, tuple[Ref, int]] = field(default_factory=dict)
    # data rows read per template kind (a sheet's lines: what is written is record_counts)
    rows_read: Counter = field(default_factory=Counter)
    duplicates: Counter = field(default_factory=Counter)  # (what_zh, what_en) -> rows
    note_counts: Counter = field(default_factory=Counter)  # (note_zh, note_en) -> rows

    def refer(self, year: int | None, code: str, ref: Ref) -> None:
        first, count = self.project_refs.get((year, code), (ref, 0))
        self.project_refs[(year, code)] = (first, count + 1)

    def records(self, kind: str) -> dict[tuple, tuple[dict, Ref]]:
        """The records of one kind (importer/counts.RECORD_KINDS), by key."""
        return getattr(self, _RECORD_STORES[kind])

    def record_counts(self) -> dict[str, int]:
        """The rows this file writes, per kind of record (one per key: importer/counts.py),
        kinds without rows left out."""
        return {k: len(self.records(k)) for k in RECORD_KINDS if self.records(k)}

    def sheet_counts(self) -> Counter:
        """record_counts per (sheet, kind): each record counted on the sheet it came from
        first."""
        return Counter(
            (ref.sheet, k) for k in RECORD_KINDS for _rec, ref in self.records(k).values()
        )


# the FileData attribute holding each kind of record
_RECORD_STORES = {
    "projects": "projects", "execution": "spending", "indicators": "indicators",
    "indicator_actuals": "actuals", "costs": "costs", "cost_standards": "cost_standards",
    "rectifications": "rectifications", "self_evaluations": "self_evaluations",
    "budget_requests": "budget_requests",
}  # fmt: skip


def _keep_first(
    log: IssueLog,
    data: FileData,
    store: dict,
    key: tuple,
    record: dict,
    ref: Ref,
    what_zh: str,
    what_en: str,
) -> bool:
    """Store a record under its key. The same key again: identical → a tolerated duplicate
    (False), different → an issue naming both rows (False). New → True."""
    if key not in store:
        store[key] = (record, ref)
        return True
    first, first_ref = store[key]
    if _public(first) == _public(record):
        data.duplicates[(what_zh, what_en)] += 1
        return False
    diff = [k for k in _public(record) if first.get(k) != record.get(k)]
    where = f"工作表「{first_ref.sheet}」" if first_ref.sheet != ref.sheet else ""
    log.add(
        ref.sheet,
        ref.row,
        ref.column,
        f"{what_zh}与{where}第{first_ref.row}行重复且内容不同（{'、'.join(diff)}）",
        f"the same {what_en} as row {first_ref.row}"
        + (f" of sheet '{first_ref.sheet}'" if where else "")
        + f" with different values ({', '.join(diff)})",
    )
    return False


def _public(record: dict) -> dict:
    return {k: v for k, v in record.items() if not k.startswith("_")}


# --- projects -----------------------------------------------------------------------------


def build_projects(table: Table, log: IssueLog, seen: Counter, data: FileData) -> None:
    sheet = table.sheet_name
    present = set(table.cols)
    for row in read_rows(table, log, seen):
        v = row.values
        code_col = table.header_text("project_code")
        ok = True
        for key in ("initial_budget", "adjusted_budget"):
            amount = v.get(key)
            if amount is not None and amount < 0:
                log.add(sheet, row.excel_row, table.header_text(key),
                        f"预算数不能为负（{amount}元）", f"a budget cannot be negative ({amount} 元)")  # fmt: skip
                ok = False
        budget_type = v.get("budget_type")
        if budget_type is not None:
            normal = BUDGET_TYPES.get(str(budget_type).replace(" ", ""))
            if normal is None:
                log.add(sheet, row.excel_row, table.header_text("budget_type"),
                        f"预算类型「{budget_type}」应为一般公共预算、政府性基金预算、"
                        "国有资本经营预算或社会保险基金预算之一",
                        f"budget type '{budget_type}' must be one of the four budgets "
                        "(一般公共预算, 政府性基金预算, 国有资本经营预算, 社会保险基金预算)")  # fmt: skip
                ok = False
            v["budget_type"] = normal
        if not ok:
            continue
        department_code = v.get("department_code") or v["department"]
        unit_code = v.get("unit_code") or v.get("unit")
        record = {
            "year": v["year"],
            "project_code": v["project_code"],
            "project_name": v["project_name"],
            "department_code": department_code,
            "unit_code": unit_code,
            "budget_type": v.get("budget_type"),
            "category": v.get("category"),
            "service_class": v.get("service_class"),
            "is_key": v.get("is_key"),
            "is_sensitive": v.get("is_sensitive"),
            "targets_disclosed": v.get("targets_disclosed"),
            "initial_budget_yuan": v.get("initial_budget"),
            "adjusted_budget_yuan": v["adjusted_budget"],
        }
        # columns absent from the sheet keep the database's value on re-import
        record["_absent"] = tuple(
            sorted(k for k, given_by in _PROJECT_COLUMNS.items() if present.isdisjoint(given_by))
        )
        ref = Ref(sheet, row.excel_row, code_col)
        if not _keep_first(log, data, data.projects, (v["year"], v["project_code"]), record,
                           ref, "项目", "project"):  # fmt: skip
            continue
        data.rows_read["projects"] += 1
        if v.get("district"):
            data.districts.add(v["district"])
        dept = {
            "department_name": v["department"],
            "district_name": v.get("district"),
            "is_sensitive": v.get("department_sensitive"),
        }
        dept_ref = Ref(sheet, row.excel_row, table.header_text("department"))
        _merge_entity(log, data, data.departments, department_code, dept, dept_ref,
                      "主管部门", "department")  # fmt: skip
        if unit_code is not None:
            unit = {"unit_name": v.get("unit") or unit_code, "department_code": department_code}
            unit_ref = Ref(sheet, row.excel_row, table.header_text("unit"))
            _merge_entity(log, data, data.units, unit_code, unit, unit_ref, "预算单位", "unit")


# project column -> the template columns that give it
_PROJECT_COLUMNS = {
    "unit_code": ("unit_code", "unit"),
    "budget_type": ("budget_type",),
    "category": ("category",),
    "service_class": ("service_class",),
    "is_key": ("is_key",),
    "is_sensitive": ("is_sensitive",),
    "targets_disclosed": ("targets_disclosed",),
    "initial_budget_yuan": ("initial_budget",),
}


def _merge_entity(
    log: IssueLog, data: FileData, store: dict, code: str, record: dict, ref: Ref,
    what_zh: str, what_en: str,
) -> None:  # fmt: skip
    """Departments and units repeat on every project row: blanks fill in, a contradiction
    (another name or sensitivity for the same code) is an issue."""
    if code not in store:
        store[code] = (dict(record), ref)
        return
    known, first_ref = store[code]
    for k, value in record.items():
        if value is None:
            continue
        if known.get(k) is None:
            known[k] = value
        elif known[k] != value and k == "district_name":
            # a department with projects in several districts keeps its first district
            data.note_counts[("主管部门的项目分属不同的区，部门按首行的区记录",
                             "departments with projects in several districts keep the first "
                             "row's district")] += 1  # fmt: skip
        elif known[k] != value:
            label_zh, label_en = _ENTITY_LABELS[k]
            log.add(ref.sheet, ref.row, ref.column,
                    f"{what_zh}「{code}」的{label_zh}与第{first_ref.row}行不同"
                    f"（{known[k]} / {value}）",
                    f"{what_en} '{code}': {label_en} differs from row {first_ref.row} "
                    f"({known[k]} / {value})")  # fmt: skip


_ENTITY_LABELS = {
    "department_name": ("名称", "name"),
    "unit_name": ("名称", "name"),
    "is_sensitive": ("是否涉密", "sensitivity"),
    "department_code": ("主管部门", "department"),
}


# --- execution ----------------------------------------------------------------------------


def build_execution(table: Table, log: IssueLog, seen: Counter, data: FileData) -> None:
    sheet = table.sheet_name
    cumulative_given = "cumulative_spend" in table.cols and any(
        not cells.is_blank(table.sheet.columns[table.cols["cumulative_spend"].index][i])
        for i in table.data_rows
    )
    amount_key = "cumulative_spend" if cumulative_given else "period_spend"
    mode = "cumulative" if cumulative_given else "period"
    if amount_key not in table.cols:
        return  # the missing column was reported by locate
    if cumulative_given and "period_spend" in table.cols:
        table.notes.append(
            f"同时有“{table.header_text('period_spend')}”与“{table.header_text('cumulative_spend')}”"
            "两列：按累计支出导入，本期支出列未使用 | both period and cumulative spending given: "
            "cumulative imported, the period column not used"
        )
    amount_col = table.header_text(amount_key)
    code_col = table.header_text("project_code")
    month_col = table.header_text("month" if "month" in table.cols else "quarter")
    parsed = parse_columns(table, log, seen)
    column = parsed.values
    blank = [None] * len(parsed.rows)
    months, quarters = column.get("month", blank), column.get("quarter", blank)
    years, codes, amounts = column["year"], column["project_code"], column[amount_key]
    funds, econs = column.get("fund_source", blank), column.get("economic_class", blank)
    forecasts = column.get("forecast_spend", blank)
    # row by row from here, on parsed values: ~1 µs a row (a monthly city upload is 100,000)
    spending, modes, refs = data.spending, data.spending_mode, data.project_refs
    written = 0
    for p in parsed.ok_positions():
        excel_row = parsed.rows[p] + 1
        month, quarter = months[p], quarters[p]
        if quarter is not None:
            if month is not None and month != 3 * quarter:
                log.add(sheet, excel_row, table.header_text("month"),
                        f"月份{month}与第{quarter}季度（{3 * quarter}月）不符",
                        f"month {month} does not match quarter {quarter} (month {3 * quarter})")  # fmt: skip
                continue
            month = 3 * quarter
        if month is None:
            log.add(sheet, excel_row, month_col, "月份/季度为空", "month/quarter is empty")
            continue
        amount = amounts[p]
        if amount is None:
            log.add(sheet, excel_row, amount_col, "必填项为空", "required value is empty")
            continue
        year, code = years[p], codes[p]
        ref = Ref(sheet, excel_row, amount_col)
        known_mode = modes.get((year, code))
        if known_mode is None:
            modes[(year, code)] = (mode, ref)
        elif known_mode[0] != mode:
            log.add(sheet, excel_row, amount_col,
                    f"同一文件中该项目既有本期支出又有累计支出（见第{known_mode[1].row}行）",
                    "the project has both period and cumulative spending in this file "
                    f"(see row {known_mode[1].row})")  # fmt: skip
            continue
        key = (year, month, code, funds[p] or "", econs[p] or "")
        record = {"amount": amount, "forecast_yuan": forecasts[p]}
        if key not in spending:  # the common case, without a call
            spending[key] = (record, ref)
        elif not _keep_first(log, data, spending, key, record, ref,
                             "同一年度、月份、项目、资金来源、经济分类",
                             "year, month, project, fund source and economic class"):  # fmt: skip
            continue
        written += 1
        # data.refer, inlined: the code's first row and how many rows name it
        first, count = refs.get((year, code), (None, 0))
        refs[(year, code)] = (first or Ref(sheet, excel_row, code_col), count + 1)
    data.rows_read["execution"] += written


# --- indicators ---------------------------------------------------------------------------

OPERATORS = {
    "≥": "≥", ">=": "≥", "≧": "≥", "＞＝": "≥", "大于等于": "≥", "不低于": "≥", "不少于": "≥",
    ">": ">", "＞": ">", "大于": ">", "高于": ">",
    "=": "=", "＝": "=", "==": "=", "等于": "=",
    "≤": "≤", "<=": "≤", "≦": "≤", "＜＝": "≤", "小于等于": "≤", "不高于": "≤", "不超过": "≤",
    "不多于": "≤",
    "<": "<", "＜": "<", "小于": "<", "低于": "<",
    "定性": "定性",
    "不适用": "不适用", "n/a": "不适用", "na": "不适用",
}  # fmt: skip
_GLUED_OP = re.compile(r"^(>=|<=|＞＝|＜＝|≥|≤|≧|≦|==|>|<|=|＞|＜|＝)\s*(.*)$", re.S)
_LEADING_NUMBER = re.compile(
    r"^([+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)\s*(.*)$", re.S
)
_LEVEL_POINTS = re.compile(r"[（(][^（）()]*\d[^（）()]*[）)]")
_PERCENT_UNITS = {"%", "％", "百分比"}
_MAX_POINTS = Decimal(1000000)  # DECIMAL(8, 2)
_PHRASE_MARKERS = ("前", "后", "底", "内", "以上", "以下", "左右", "之")
_NUMERIC_OPS = {"≥", ">", "=", "≤", "<"}


def normalise_level(text: str) -> str:
    """ "产出指标(50分)" → "产出指标": the level's name without its points."""
    return "".join(_LEVEL_POINTS.sub("", text).split())


def _number_and_unit(text: str) -> tuple[Decimal, str | None] | None:
    """ "95%" → (95, "%"); "375万平方米" → (375, "万平方米"); "达标" → None."""
    half = cells._halfwidth(text, None).strip()
    match = _LEADING_NUMBER.match(half)
    if not match:
        return None
    rest = match.group(2).strip()
    if re.search(r"\d", rest):  # ranges and dates ("1-2天", "2025年底") are not numbers
        return None
    value = cells.parse_decimal(match.group(1))
    return (value, rest or None) if value is not None else None


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


class TargetError(CellError):
    """A bad operator or target; key names the column it is about."""

    def __init__(self, key: str, message_zh: str, message_en: str):
        super().__init__(message_zh, message_en)
        self.key = key


class _PercentCells:
    """Cells of an xlsx sheet formatted as percentages, found only when first asked (the
    scan reads the sheet's XML once) and only when the sheet may hold % values."""

    def __init__(self, table: Table, content: bytes | None):
        self._table, self._content = table, content
        self._cells: set[tuple[int, int]] | None = None
        unit = table.cols.get("unit")
        self._possible = (
            content is not None
            and table.sheet.name is not None
            and (
                unit is None
                or any((v or "").strip() in _PERCENT_UNITS for v in table.sheet.columns[unit.index])
            )
        )

    def has(self, row: int, col: int) -> bool:
        if not self._possible:
            return False
        if self._cells is None:
            assert self._content is not None and self._table.sheet.name is not None
            self._cells = percent_cells(self._content, self._table.sheet.name)
        return (row, col) in self._cells


@dataclass(frozen=True)
class Target:
    operator: str
    value: Decimal | None
    text: str | None
    unit: str | None
    defaulted: bool = False


def parse_target(
    operator_raw: str | None,
    target_raw: str | None,
    unit_raw: str | None,
    *,
    percent_cell: bool,
    lower_is_better: bool,
) -> Target:
    """Operator, numeric target, the target as written and the unit, from the 计算符号,
    年度指标值 and 计量单位 cells (the operator and unit may be glued to the target)."""
    op_col = None
    if operator_raw is not None and operator_raw.strip():
        token = operator_raw.strip().lower().replace(" ", "")
        op_col = OPERATORS.get(token)
        if op_col is None:
            raise TargetError(
                "operator",
                f"计算符号「{operator_raw.strip()}」无法识别（应为 ≥ > = ≤ < 定性 不适用）",
                f"operator '{operator_raw.strip()}' not recognised (use ≥ > = ≤ < 定性 不适用)",
            )
    text = cells.clean_text(target_raw)
    unit = cells.clean_text(unit_raw)
    op_glued, body = None, text
    if text is not None:
        match = _GLUED_OP.match(text)
        if match:
            op_glued, body = OPERATORS[match.group(1)], match.group(2).strip()
    if op_col and op_glued and op_col != op_glued:
        raise TargetError(
            "target",
            f"计算符号「{op_col}」与指标值「{text}」中的符号「{op_glued}」矛盾",
            f"operator '{op_col}' contradicts the '{op_glued}' in the target '{text}'",
        )
    operator = op_col or op_glued
    parsed = _number_and_unit(body) if body else None
    value, glued_unit = parsed if parsed else (None, None)
    if operator is None and glued_unit and any(w in glued_unit for w in _PHRASE_MARKERS):
        # "2025年底前", "3天以内": a phrase that starts with a number, not a numeric target
        value, glued_unit = None, None
    if value is not None and percent_cell and (unit or glued_unit) in _PERCENT_UNITS | {None}:
        # a cell formatted as a percentage holds 0.96 for 96%
        value = value * 100
        glued_unit = glued_unit or "%"
        text = f"{(op_glued or '')}{_fmt(value)}%"
    unit = unit or glued_unit
    defaulted = False
    if operator is None:
        if text is None:
            raise TargetError("target", "年度指标值为空", "the target is empty")
        if value is None:
            operator = "定性"
        else:
            operator, defaulted = ("≤" if lower_is_better else "≥"), True
    if operator in _NUMERIC_OPS and value is None:
        raise TargetError(
            "target",
            f"指标值「{text or ''}」不是数字（计算符号为「{operator}」）",
            f"target '{text or ''}' is not a number (operator '{operator}')",
        )
    if operator == "定性":
        value = None
    if value is not None:
        value = cells.round_half_up(value, 6)
    return Target(operator, value, text, unit, defaulted)


def _actual_value(raw: str, percent_cell: bool, unit: str | None) -> tuple[Decimal | None, str]:
    """The actual as a number where it is one ("96", "96%", "380万平方米" when the unit is
    万平方米), and always as written. Never converted between units: "0.8亿元" against an
    indicator in 万元 is text only."""
    text = raw.strip()
    try:
        value = cells.parse_decimal(text, allow_percent=True)
    except CellError:
        glued = _number_and_unit(text)
        if glued is None or glued[1] != unit:
            return None, text
        value = glued[0]
    percent = percent_cell and (unit is None or unit in _PERCENT_UNITS) and "%" not in text
    if value is not None and percent:
        value = value * 100
        text = f"{_fmt(value)}%"
    return (cells.round_half_up(value, 6) if value is not None else None), text


def build_indicators(table: Table, log: IssueLog, seen: Counter, data: FileData,
                     content: bytes | None) -> None:  # fmt: skip
    sheet = table.sheet_name
    percent_lookup = _PercentCells(table, content)

    def is_percent(row: Row, key: str) -> bool:
        return key in table.cols and percent_lookup.has(row.index, table.abs_col(key))

    defaulted = no_month = dropped = 0
    has_def_cols = any(k in table.cols for k in ("operator", "target"))
    for row in read_rows(table, log, seen, fill_down=("level1", "level2")):
        v = row.values
        level1, level2 = normalise_level(str(v["level1"])), normalise_level(str(v["level2"]))
        key = (v["year"], v["project_code"], level1, level2, v["indicator"])
        code_ref = Ref(sheet, row.excel_row, table.header_text("project_code"))
        has_def = has_def_cols and (v.get("operator") is not None or v.get("target") is not None)
        has_actual = v.get("actual") is not None
        if not has_def and not has_actual:
            column = table.header_text("target" if "target" in table.cols else "actual")
            log.add(sheet, row.excel_row, column, "年度指标值与完成值均为空",
                    "neither a target nor an actual value is given")  # fmt: skip
            continue
        if has_def:
            lower_is_better = level1 == "成本指标" or "成本" in level2
            try:
                target = parse_target(
                    _raw(table, row, "operator"), _raw(table, row, "target"),
                    v.get("unit"), percent_cell=is_percent(row, "target"),
                    lower_is_better=lower_is_better,
                )  # fmt: skip
            except TargetError as err:
                log.add_cell_error(sheet, row.excel_row, table.header_text(err.key), err)
                continue
            points = v.get("points")
            if points is not None and not 0 <= points < _MAX_POINTS:
                log.add(sheet, row.excel_row, table.header_text("points"), "分值应在0–999999之间",
                        "points must be between 0 and 999999")  # fmt: skip
                continue
            record = {
                "operator": target.operator,
                "target_value": target.value,
                "target_text": target.text,
                "unit": target.unit,
                "points": cells.round_half_up(points, 2) if points is not None else None,
                "is_cumulative": v.get("cumulative"),
            }
            if _merge_definition(log, data, key, record, Ref(sheet, row.excel_row,
                                 table.header_text("indicator"))):  # fmt: skip
                defaulted += target.defaulted
            unit = target.unit
        else:
            data.actual_only.setdefault(key, Ref(sheet, row.excel_row,
                                                 table.header_text("indicator")))  # fmt: skip
            known = data.indicators.get(key)
            unit = v.get("unit") or (known[0]["unit"] if known else None)
        data.refer(v["year"], v["project_code"], code_ref)
        if has_actual:
            month = v.get("month")
            if month is None:
                month, no_month = 12, no_month + 1
            value, text = _actual_value(_raw(table, row, "actual") or "",
                                        is_percent(row, "actual"), unit)  # fmt: skip
            period_target = v.get("period_target")
            if (
                period_target is not None
                and is_percent(row, "period_target")
                and (unit is None or unit in _PERCENT_UNITS)
            ):
                period_target = period_target * 100
            score = v.get("score")
            if score is not None and abs(score) >= _MAX_POINTS:
                log.add(sheet, row.excel_row, table.header_text("score"), "得分过大",
                        "the score is too large")  # fmt: skip
                continue
            actual = {
                "actual_value": value,
                "actual_text": text,
                "period_target": cells.round_half_up(period_target, 6)
                if period_target is not None
                else None,
                "reason": v.get("reason"),
                "claimed_score": cells.round_half_up(score, 2) if score is not None else None,
            }
            _keep_first(log, data, data.actuals, (*key, month), actual,
                        Ref(sheet, row.excel_row, table.header_text("actual")),
                        "同一指标同一月份的完成值", "indicator and month")  # fmt: skip
        elif v.get("period_target") is not None or v.get("reason") is not None:
            dropped += 1
        data.rows_read["indicators"] += 1
    if defaulted:
        table.notes.append(
            f"{defaulted}个指标未写计算符号，数值目标按 ≥（成本类按 ≤）导入 | {defaulted} "
            "numeric targets without an operator imported as ≥ (≤ for cost indicators)"
        )
    if no_month:
        table.notes.append(
            f"{no_month}个完成值未填月份，按年末（12月）导入 | {no_month} actuals without a "
            "month imported as year end (month 12)"
        )
    if dropped:
        table.notes.append(
            f"{dropped}行有序时目标值或偏差原因但无完成值，未导入 | {dropped} rows with a "
            "period target or reason but no actual were not imported"
        )


def _raw(table: Table, row: Row, key: str) -> str | None:
    ref = table.cols.get(key)
    return table.sheet.columns[ref.index][row.index] if ref else None


def _merge_definition(log: IssueLog, data: FileData, key: tuple, record: dict, ref: Ref) -> bool:
    """The definition repeats on each actual row: blanks in later rows are fine, another
    value is an issue."""
    if key not in data.indicators:
        data.indicators[key] = (record, ref)
        return True
    known, first_ref = data.indicators[key]
    diff = [
        k for k, value in record.items()
        if value is not None and known.get(k) is not None and known[k] != value
    ]  # fmt: skip
    if diff:
        log.add(ref.sheet, ref.row, ref.column,
                f"同一指标的定义与第{first_ref.row}行不同（{'、'.join(diff)}）",
                f"the indicator's definition differs from row {first_ref.row} "
                f"({', '.join(diff)})")  # fmt: skip
        return False
    for k, value in record.items():
        if known.get(k) is None and value is not None:
            known[k] = value
    return False


# --- costs, cost standards, rectifications --------------------------------------------------


def build_costs(table: Table, log: IssueLog, seen: Counter, data: FileData) -> None:
    sheet = table.sheet_name
    for row in read_rows(table, log, seen):
        v = row.values
        quantity = v.get("output_quantity")
        if quantity is not None and quantity <= 0:
            log.add(sheet, row.excel_row, table.header_text("output_quantity"),
                    "产出数量须大于0", "output quantity must be greater than 0")  # fmt: skip
            continue
        year, code = v["year"], v["project_code"]
        record = {
            "amount_yuan": v["amount"],
            "output_quantity": cells.round_half_up(quantity, 6) if quantity is not None else None,
            "output_unit": v.get("output_unit"),
        }
        if quantity is not None:
            output = (record["output_quantity"], record["output_unit"])
            out_ref = Ref(sheet, row.excel_row, table.header_text("output_quantity"))
            known = data.cost_outputs.setdefault((year, code), (output, out_ref))
            if known[0] != output:
                log.add(sheet, row.excel_row, out_ref.column,
                        f"同一项目的产出数量/单位与第{known[1].row}行不一致",
                        f"the project's output quantity/unit differs from row {known[1].row}")  # fmt: skip
                continue
        ref = Ref(sheet, row.excel_row, table.header_text("cost_item"))
        if _keep_first(log, data, data.costs, (year, code, v["cost_item"]), record, ref,
                       "同一项目的成本项目", "project and cost item"):  # fmt: skip
            data.rows_read["costs"] += 1
            data.refer(year, code, Ref(sheet, row.excel_row, table.header_text("project_code")))


def build_cost_standards(table: Table, log: IssueLog, seen: Counter, data: FileData) -> None:
    sheet = table.sheet_name
    for row in read_rows(table, log, seen):
        v = row.values
        cost = v["standard_unit_cost"]
        if cost <= 0:
            log.add(sheet, row.excel_row, table.header_text("standard_unit_cost"),
                    "标准单位成本须大于0", "the standard unit cost must be greater than 0")  # fmt: skip
            continue
        key = (v["year"], v["service_class"], v["output_unit"])
        ref = Ref(sheet, row.excel_row, table.header_text("standard_unit_cost"))
        if _keep_first(log, data, data.cost_standards, key, {"standard_unit_cost_yuan": cost},
                       ref, "同一年度、一类事、产出单位", "year, service class and output unit"):  # fmt: skip
            data.rows_read["cost_standards"] += 1


def build_rectifications(table: Table, log: IssueLog, seen: Counter, data: FileData) -> None:
    sheet = table.sheet_name
    for row in read_rows(table, log, seen):
        v = row.values
        feedback, done = v["feedback_date"], v.get("done_date")
        if done is not None and done < feedback:
            log.add(sheet, row.excel_row, table.header_text("done_date"),
                    f"完成日期{done}早于反馈日期{feedback}",
                    f"done date {done} is before the feedback date {feedback}")  # fmt: skip
            continue
        key = (v["project_code"], v["issue"], feedback)
        ref = Ref(sheet, row.excel_row, table.header_text("issue"))
        if _keep_first(log, data, data.rectifications, key, {"done_date": done, "year": v.get("year")},
                       ref, "同一项目、问题、反馈日期", "project, issue and feedback date"):  # fmt: skip
            data.rows_read["rectifications"] += 1
            data.refer(v.get("year"), v["project_code"],
                       Ref(sheet, row.excel_row, table.header_text("project_code")))  # fmt: skip


def build_budget_requests(table: Table, log: IssueLog, seen: Counter, data: FileData) -> None:
    """预算申请 rows (docs/figures.md#budget-request-review), one per (requested year,
    project). Unlike every other kind, a request calls no data.refer: its project need not be
    in the projects table. A request is for a year whose projects are set only once the
    budget is (the review comes before it), and a new project (是否新增项目) has no code
    there at all; the review links a request to last year's project by code, else by
    department, unit and name, and a request that matches none is reviewed on its cost alone.
    So the request keeps its own name and department."""
    sheet = table.sheet_name
    for row in read_rows(table, log, seen):
        v = row.values
        amount = v["requested_amount"]
        if amount < 0:
            log.add(sheet, row.excel_row, table.header_text("requested_amount"),
                    f"申请金额不能为负（{amount}元）",
                    f"the requested amount cannot be negative ({amount} 元)")  # fmt: skip
            continue
        quantity = v.get("planned_output_quantity")
        if quantity is not None and quantity <= 0:
            log.add(sheet, row.excel_row, table.header_text("planned_output_quantity"),
                    "计划产出数量须大于0", "the planned output quantity must be greater than 0")  # fmt: skip
            continue
        if quantity is not None and v.get("output_unit") is None:
            # a quantity in no unit cannot be set against a cost standard or peers
            log.add(sheet, row.excel_row, table.header_text("output_unit"),
                    "填写了计划产出数量时须填写产出单位",
                    "an output unit is required with a planned output quantity")  # fmt: skip
            continue
        record = {
            "project_name": v["project_name"],
            "department_code": v.get("department_code") or v["department"],
            "department_name": v["department"],
            "unit_code": v.get("unit_code"),
            "service_class": v.get("service_class"),
            "requested_amount_yuan": amount,
            "planned_output_quantity": cells.round_half_up(quantity, 6)
            if quantity is not None
            else None,
            "output_unit": v.get("output_unit"),
            "is_new": v.get("is_new"),
        }
        ref = Ref(sheet, row.excel_row, table.header_text("project_code"))
        if _keep_first(log, data, data.budget_requests, (v["year"], v["project_code"]), record,
                       ref, "同一年度、项目的预算申请", "year and project request"):  # fmt: skip
            data.rows_read["budget_requests"] += 1


BUILDERS = {
    "projects": build_projects,
    "execution": build_execution,
    "costs": build_costs,
    "cost_standards": build_cost_standards,
    "rectifications": build_rectifications,
    "budget_requests": build_budget_requests,
}
