"""Warning flags: the rule queries in queries/warning_*.sql, gathered into one table, each flag
with a sentence a leader can read, in Chinese and in English.

The queries decide who is flagged and how badly (exact arithmetic, thresholds from the
database); this module only words the result."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import duckdb
import pandas as pd

from perfbudget import formatting as fmt
from perfbudget.db import run_query
from perfbudget.rules import SEVERITY_ORDER
from perfbudget.scope import Scope


@dataclass(frozen=True)
class Rule:
    rule_id: str
    query: str
    label_zh: str
    label_en: str


RULES: tuple[Rule, ...] = (
    Rule("slow_spending", "warning_slow_spending", "支出进度偏慢", "Slow spending"),
    Rule("over_budget", "warning_over_budget", "超预算支出", "Spending over budget"),
    Rule("spend_output_mismatch", "warning_spend_output_mismatch", "支出与产出不符",
         "Spending out of line with outputs"),
    Rule("indicator_behind", "warning_indicator_behind", "绩效指标偏离", "Indicator off track"),
)
RULES_BY_ID = {rule.rule_id: rule for rule in RULES}

SEVERITY_LABELS = {
    "zh": {"red": "红色", "yellow": "黄色", "blue": "蓝色"},
    "en": {"red": "Red", "yellow": "Yellow", "blue": "Blue"},
}

COMMON_COLUMNS = [
    "project_code", "project_name", "department_code", "department", "is_sensitive",
    "rule", "rule_label", "severity", "sub_rules", "value", "threshold", "as_of_month",
    "message", "message_en",
]


def warning_flags(
    conn: duckdb.DuckDBPyConnection,
    year: int,
    month: int,
    scope: Scope | None = None,
    rules: Iterable[str] | None = None,
) -> pd.DataFrame:
    """All flags of the chosen rules at a year-month, worst first."""
    wanted = [RULES_BY_ID[r] for r in rules] if rules is not None else list(RULES)
    frames = []
    for rule in wanted:
        df = run_query(conn, rule.query, scope, year=year, month=month)
        if df.empty:
            continue
        df["as_of_month"] = month
        df["rule_label"] = rule.label_zh
        df["message"] = [_MESSAGES[rule.rule_id](row, month, "zh") for row in df.itertuples()]
        df["message_en"] = [_MESSAGES[rule.rule_id](row, month, "en") for row in df.itertuples()]
        frames.append(df)
    if not frames:
        return pd.DataFrame(columns=COMMON_COLUMNS)
    flags = pd.concat(frames, ignore_index=True)
    flags["severity_rank"] = flags["severity"].map(SEVERITY_ORDER)
    flags = flags.sort_values(
        ["severity_rank", "department_code", "project_code", "rule"],
        ascending=[False, True, True, True],
        kind="stable",
    ).drop(columns="severity_rank")
    extra = [c for c in flags.columns if c not in COMMON_COLUMNS]
    return flags[COMMON_COLUMNS + extra].reset_index(drop=True)


# --- sentences --------------------------------------------------------------------------

def _slow_spending(row, month: int, lang: str) -> str:
    rate, tp = fmt.pct(row.execution_rate), fmt.pct(row.time_progress)
    behind = fmt.pp(abs(row.gap_pp)).lstrip("+")
    parts = []
    if lang == "zh":
        parts.append(f"截至{month}月执行率{rate}，低于序时进度{tp}达{behind}个百分点")
        if isinstance(row.pace_severity, str):
            parts.append(f"进度比{fmt.ratio(row.pace)}，低于{fmt.ratio(row.pace_threshold)}")
        if isinstance(row.gap_severity, str):
            parts.append(
                f"大额项目（调整后预算{fmt.money(row.adjusted_budget_yuan)}）进度差达到"
                f"{fmt.number(row.large_gap_red_pp, 1)}个百分点的红线"
            )
        return "，".join(parts) + "。"
    parts.append(f"By month {month} spending is {rate} of budget, {behind} pp behind time progress {tp}")
    if isinstance(row.pace_severity, str):
        parts.append(f"pace {fmt.ratio(row.pace)} is below {fmt.ratio(row.pace_threshold)}")
    if isinstance(row.gap_severity, str):
        parts.append(
            f"a large project ({fmt.money(row.adjusted_budget_yuan, lang='en')}) past the "
            f"{fmt.number(row.large_gap_red_pp, 1)} pp red line"
        )
    return "; ".join(parts) + "."


def _over_budget(row, month: int, lang: str) -> str:
    spent, budget = fmt.money(row.spent_yuan, lang=lang), fmt.money(row.adjusted_budget_yuan, lang=lang)
    rate, limit = fmt.pct(row.execution_rate), fmt.pct(row.threshold)
    if lang == "zh":
        return (
            f"截至{month}月已支出{spent}，超过调整后预算{budget}，执行率{rate}（超过{limit}）。"
            "可能尚有预算调整未导入，请先核实数据。"
        )
    return (
        f"By month {month} spending of {spent} exceeds the adjusted budget of {budget}: "
        f"{rate} (above {limit}). A budget adjustment may not have been imported yet; check the data."
    )


def _spend_output_mismatch(row, month: int, lang: str) -> str:
    pace, output = fmt.pct(row.pace), fmt.pct(row.output_progress)
    diff, limit = fmt.pct(abs(row.difference)), fmt.pct(row.threshold)
    if row.sub_rules == "spending_ahead":
        if lang == "zh":
            return (f"截至{month}月支出进度（进度比）{pace}，产出进度仅{output}，"
                    f"支出快于产出{diff}（≥{limit}）。")
        return (f"By month {month} spending runs at {pace} of schedule but outputs at only "
                f"{output}: spending ahead of outputs by {diff} (≥ {limit}).")
    if lang == "zh":
        return (f"截至{month}月产出进度{output}，支出进度（进度比）仅{pace}，"
                f"产出快于支出{diff}（≥{limit}），请核实支出是否滞后入账。")
    return (f"By month {month} outputs are at {output} of schedule but spending at only "
            f"{pace}: outputs ahead of spending by {diff} (≥ {limit}); check for late booking.")


def _indicator_behind(row, month: int, lang: str) -> str:
    progress, limit = fmt.pct(row.value), fmt.pct(row.threshold)
    unit = row.unit if isinstance(row.unit, str) else ""
    actual = row.actual if isinstance(row.actual, str) else fmt.EMPTY
    actual = fmt.number(actual) if _is_number(actual) else actual
    if row.sub_rules == "ahead":
        if lang == "zh":
            return (f"截至{month}月「{row.indicator}」完成{actual}{unit}（目标{row.target}），"
                    f"序时进度{progress}，远超序时（≥{limit}），请核实数据真实性或目标是否偏低。")
        return (f"By month {month} '{row.indicator}' reached {actual}{unit} (target {row.target}), "
                f"{progress} of schedule (≥ {limit}): check the figure, or whether the target is too low.")
    behind_count = int(row.red_count) + int(row.yellow_count)
    reason = row.reason if isinstance(row.reason, str) and row.reason.strip() else None
    if lang == "zh":
        text = (f"截至{month}月「{row.indicator}」完成{actual}{unit}（目标{row.target}），"
                f"序时进度{progress}，低于{limit}")
        if behind_count > 1:
            text += f"；共{behind_count}个指标进度偏慢"
        text += f"；偏差原因：{reason}" if reason else "；未填写偏差原因"
        return text + "。"
    text = (f"By month {month} '{row.indicator}' reached {actual}{unit} (target {row.target}), "
            f"{progress} of schedule, below {limit}")
    if behind_count > 1:
        text += f"; {behind_count} indicators are behind"
    text += f"; reason given: {reason}" if reason else "; no reason given"
    return text + "."


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


_MESSAGES: dict[str, Callable[[object, int, str], str]] = {
    "slow_spending": _slow_spending,
    "over_budget": _over_budget,
    "spend_output_mismatch": _spend_output_mismatch,
    "indicator_behind": _indicator_behind,
}
