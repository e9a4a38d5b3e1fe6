"""The review of next year's budget requests (预算安排核成本, docs/figures.md#budget-request-review):
the figures of queries/budget_request_review.sql (caps, suggested amount) with the reason for
each request in a sentence, Chinese and English, and the totals by department.

    review(conn, year, scope)   one row per request of the requested year, reasons included
    reasons(row, year, lang)    the sentence of one row
    department_totals(frame)    requested, suggested and their difference per department

No streamlit: the page (through perfbudget.data), the CLI report and the .xlsx export share it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import duckdb
import pandas as pd

from perfbudget import db
from perfbudget import formatting as fmt
from perfbudget.scope import Scope

QUERY = "budget_request_review"
# the sentence goes right after suggested_amount_yuan (the report's contract columns)
REASONS_AFTER = "suggested_amount_yuan"
TOTAL_COLUMNS = ["department_code", "department", "request_count", "requested_amount_yuan",
                 "suggested_amount_yuan", "difference_yuan"]  # fmt: skip


def review(conn: duckdb.DuckDBPyConnection, year: int, scope: Scope | None = None) -> pd.DataFrame:
    """The requests of `year` (the requested year) with their review, in the query's order;
    `reasons` (Chinese) after suggested_amount_yuan; is_cut (suggested below requested) and
    `reasons_en` last."""
    frame = db.run_query(conn, QUERY, scope or Scope.everything(), year=year)
    for column in ("reference_year", "peer_count"):
        # a year and a count are whole numbers (2025, not 2025.0); empty without a reference
        frame[column] = pd.Series(
            [None if pd.isna(v) else int(v) for v in frame[column]], index=frame.index, dtype=object
        )
    # a request whose suggested amount is below it: the rows the bureau sends back
    frame["is_cut"] = [
        s < r
        for s, r in zip(frame["suggested_amount_yuan"], frame["requested_amount_yuan"], strict=True)
    ]
    rows = list(frame.itertuples(index=False))
    frame.insert(frame.columns.get_loc(REASONS_AFTER) + 1, "reasons",
                 [reasons(r, year, "zh") for r in rows])  # fmt: skip
    frame["reasons_en"] = [reasons(r, year, "en") for r in rows]
    return frame


def _missing(value: object) -> bool:
    return fmt.to_decimal(value) is None if not isinstance(value, str) else False


def unit_cost(value: object) -> str:
    """A unit cost in 元: at least 2 decimals, up to 4 where they matter (8.2 → 8.20,
    0.32125 → 0.3213): unit costs of area services are fractions of a 元."""
    number = fmt.to_decimal(value)
    if number is None:
        return fmt.EMPTY
    text = f"{fmt.half_up(number, 4):f}".rstrip("0")
    whole, _, decimals = text.partition(".")
    return f"{whole}.{decimals.ljust(2, '0')}"


def _flag(value: object) -> bool:
    """A yes/no cell that may be empty (None, NaN): true only when it says yes."""
    return value is not None and value == value and bool(value)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _basis(row: Any, year: int, lang: str) -> str:
    """The reference's name: 标准 (with its year when earlier than the requested one), 建议标准
    (平均先进值) or 同类中位数 (with the year of its costs)."""
    ref_year = None if _missing(row.reference_year) else int(row.reference_year)
    if row.reference_basis == "standard":
        if lang == "zh":
            return "标准" if ref_year in (None, year) else f"{ref_year}年标准"
        return "the standard" if ref_year in (None, year) else f"the {ref_year} standard"
    peers = "" if _missing(row.peer_count) else int(row.peer_count)
    if row.reference_basis == "suggested":
        if lang == "zh":
            return f"建议标准（{ref_year}年同类{peers}个项目平均先进值）"
        return f"the suggested standard ({ref_year}, average-advanced value of {peers} peers)"
    if lang == "zh":
        return f"同类中位数（{ref_year}年{peers}个项目）"
    return f"the class median ({ref_year}, {peers} peers)"


def _short_basis(row: Any, lang: str) -> str:
    names = {"standard": ("标准", "the standard"), "suggested": ("建议标准", "the suggested standard"),
             "median": ("同类中位数", "the class median")}  # fmt: skip
    zh, en = names[row.reference_basis]
    return zh if lang == "zh" else en


def _cost_clause(row: Any, year: int, lang: str, sole: bool) -> str | None:
    unit = _text(row.output_unit) or ""
    if _missing(row.planned_output_quantity):
        if lang == "zh":
            return "未填计划产出数量，未核单位成本"
        return "no planned output quantity: unit cost not checked"
    cost = unit_cost(row.requested_unit_cost_yuan)
    if lang == "zh":
        head = f"申请单位成本{cost}元/{unit}"
    else:
        head = f"requested unit cost {cost} yuan/{unit}"
    if row.reference_basis == "none" or _missing(row.reference_unit_cost_yuan):
        if lang == "zh":
            return f"{head}，无可比较的成本参照（无成本定额标准，同类项目不足）"
        return f"{head}, nothing to compare with (no cost standard, too few peers)"
    basis, reference = _basis(row, year, lang), unit_cost(row.reference_unit_cost_yuan)
    deviation = fmt.to_decimal(row.reference_deviation)
    line = fmt.pct(row.cost_line)
    if _flag(row.is_cost_capped):
        cap = fmt.money(row.cost_cap_yuan, lang=lang)
        short = _short_basis(row, lang)
        if lang == "zh":
            verb = "建议按" if sole else "按"
            return (
                f"{head}，高于{basis}{reference}元/{unit}{fmt.pct(deviation)}，"
                f"{verb}{short}核定为{cap}"
            )
        verb = "approve at" if sole else "at"
        return (
            f"{head} is {fmt.pct(deviation)} above {basis} of {reference} yuan/{unit}: "
            f"{verb} {short}, {cap}"
        )
    if deviation is not None and deviation > 0:
        if lang == "zh":
            return f"{head}，高于{basis}{reference}元/{unit}{fmt.pct(deviation)}，未超过{line}"
        return f"{head} is {fmt.pct(deviation)} above {basis} of {reference} yuan/{unit}, within {line}"
    if lang == "zh":
        return f"{head}，不高于{basis}{reference}元/{unit}"
    return f"{head}, not above {basis} of {reference} yuan/{unit}"


def _result_clause(row: Any, year: int, lang: str, sole: bool) -> str | None:
    if _text(row.previous_project_code) is None:
        if lang == "zh":
            return "新增项目，无上年执行结果" if _flag(row.is_new) else "未找到上年同一项目"
        return (
            "a new project: no results of last year"
            if _flag(row.is_new)
            else "no project of last year matches"
        )
    if _missing(row.previous_balance_rate):
        # the project is known, but a balance rate needs its December spending and a budget
        if lang == "zh":
            return f"上年（{year - 1}年）同一项目无12月执行数据，未核结余"
        return f"last year ({year - 1}) the project has no December spending: balance not checked"
    if not _flag(row.is_result_capped):
        return None
    rate, line = fmt.pct(row.previous_balance_rate), fmt.pct(row.balance_line)
    spent = fmt.money(row.result_cap_yuan, lang=lang)
    binding = (fmt.to_decimal(row.result_cap_yuan) or Decimal(0)) < (
        fmt.to_decimal(row.requested_amount_yuan) or Decimal(0)
    )
    if lang == "zh":
        head = f"上年（{year - 1}年）结转结余率{rate}（≥{line}）"
        if not binding:
            return f"{head}，上年支出{spent}不低于申请，不核减"
        return f"{head}，{'建议' if sole else ''}按上年实际支出核定为{spent}"
    head = f"last year ({year - 1}) left {rate} unspent (≥ {line})"
    if not binding:
        return f"{head}; last year's spending {spent} is not below the request: no cut"
    return f"{head}: {'approve at' if sole else 'at'} last year's spending, {spent}"


def reasons(row: Any, year: int, lang: str = "zh") -> str:
    """The review of one request in a sentence: each cap that applies with its figures, a 差
    grade as a reason to cut, and the suggested amount (the lowest of the request and the
    caps). row: a row of queries/budget_request_review.sql (attribute access)."""
    requested = fmt.to_decimal(row.requested_amount_yuan) or Decimal(0)
    suggested = fmt.to_decimal(row.suggested_amount_yuan) or Decimal(0)
    cost_binding = _flag(row.is_cost_capped)
    result_binding = (
        _flag(row.is_result_capped)
        and (fmt.to_decimal(row.result_cap_yuan) or Decimal(0)) < requested
    )
    sole = cost_binding != result_binding  # one cap cuts: its clause says 建议
    clauses = [c for c in (_cost_clause(row, year, lang, sole and cost_binding),
                           _result_clause(row, year, lang, sole and result_binding)) if c]  # fmt: skip
    if _flag(row.is_grade_poor):
        clauses.append(f"上年（{year - 1}年）绩效自评等级为差，建议从严审核压减" if lang == "zh"
                       else f"last year's ({year - 1}) self-evaluation was graded 差 (poor): "
                            "review closely and cut")  # fmt: skip
    cut = requested - suggested
    if cost_binding and result_binding:
        clauses.append(f"取其低者，建议核定为{fmt.money(suggested, lang=lang)}（核减"
                       f"{fmt.money(cut, lang=lang)}）" if lang == "zh"
                       else f"the lower of the two: approve {fmt.money(suggested, lang=lang)} "
                            f"(a cut of {fmt.money(cut, lang=lang)})")  # fmt: skip
    elif sole:
        clauses.append(f"核减{fmt.money(cut, lang=lang)}" if lang == "zh"
                       else f"a cut of {fmt.money(cut, lang=lang)}")  # fmt: skip
    elif _flag(row.is_grade_poor):
        clauses.append(f"成本与结余未触发核减，申请金额{fmt.money(requested, lang=lang)}" if lang == "zh"
                       else f"no cost or balance cap: the request is {fmt.money(requested, lang=lang)}")  # fmt: skip
    else:
        clauses.append(f"建议按申请金额{fmt.money(requested, lang=lang)}安排" if lang == "zh"
                       else f"no cap applies: the request, {fmt.money(requested, lang=lang)}")  # fmt: skip
    if lang == "zh":
        return "；".join(clauses) + "。"
    text = "; ".join(clauses) + "."
    return text[0].upper() + text[1:]


def department_totals(frame: pd.DataFrame) -> pd.DataFrame:
    """Per department of a review(): how many requests, Σ requested, Σ suggested and the
    difference requested − suggested (the cut, ≥ 0), exact; by department code."""
    rows = []
    for (code, name), part in frame.groupby(["department_code", "department"], sort=True):
        requested = sum(
            (fmt.to_decimal(v) or Decimal(0) for v in part["requested_amount_yuan"]), Decimal(0)
        )
        suggested = sum(
            (fmt.to_decimal(v) or Decimal(0) for v in part["suggested_amount_yuan"]), Decimal(0)
        )
        rows.append({"department_code": code, "department": name, "request_count": len(part),
                     "requested_amount_yuan": requested, "suggested_amount_yuan": suggested,
                     "difference_yuan": requested - suggested})  # fmt: skip
    return pd.DataFrame(rows, columns=TOTAL_COLUMNS)
