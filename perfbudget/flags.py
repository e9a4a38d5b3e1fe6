"""Warning flags: the rule queries in queries/warning_*.sql, gathered into one table, each flag
with a sentence a leader can read, in Chinese and in English.

The queries decide who is flagged and how badly (exact arithmetic, thresholds from the
database); this module only words the result."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from perfbudget import audit, users, vocab
from perfbudget import formatting as fmt
from perfbudget.db import load_query, run_query, transaction
from perfbudget.i18n import LANGS, t
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
    Rule(
        "spend_output_mismatch",
        "warning_spend_output_mismatch",
        "支出与产出不符",
        "Spending out of line with outputs",
    ),
    Rule("indicator_behind", "warning_indicator_behind", "绩效指标偏离", "Indicator off track"),
    Rule("large_balance", "warning_large_balance", "资金结余较多", "Large balance"),
    Rule(
        "cost_above_reference",
        "warning_cost_above_reference",
        "单位成本偏高",
        "Unit cost above reference",
    ),
    Rule("target_not_met", "warning_target_not_met", "绩效目标未完成", "Target not met"),
    Rule(
        "rectification_overdue",
        "warning_rectification_overdue",
        "整改逾期",
        "Rectification overdue",
    ),
    Rule("disclosure_gap", "warning_disclosure_gap", "信息公开不足", "Disclosure gap"),
    Rule("data_quality", "warning_data_quality", "数据质量", "Data quality"),
)
# A project's overall light is the worst of these; data_quality is shown beside it.
PERFORMANCE_RULES = tuple(r.rule_id for r in RULES if r.rule_id != "data_quality")
RULES_BY_ID = {rule.rule_id: rule for rule in RULES}

# A severity's name by language, as perfbudget.i18n words it (severity_red …).
SEVERITY_LABELS = {
    lang: {s: t(vocab.severity_key(s), lang) for s in vocab.SEVERITIES} for lang in LANGS
}

# What a flag's `value` (and `threshold`) is measured in, by rule and sub-rule, as the SQL of
# each rule picks it (queries/warning_*.sql): the warnings workbook's 单位 column.
_RATE = "比率（1为100%）"
VALUE_UNITS: dict[str, str] = {
    "slow_spending:pace": "进度比",
    "slow_spending:large_gap": "百分点",
    "over_budget": _RATE,
    "spend_output_mismatch": "进度比之差",
    "indicator_behind": _RATE,
    "large_balance": _RATE,
    "cost_above_reference": _RATE,
    "target_not_met": _RATE,
    "rectification_overdue": "天",
    "disclosure_gap:project_not_disclosed": "元",
    "disclosure_gap:department_coverage": _RATE,
    "data_quality:no_targets": "个指标",  # none: the value is 0
    "data_quality:no_cost_indicator": "个指标",
    "data_quality:points_not_90": "分",
    "data_quality:not_reported": "月",
    "data_quality:indicator_unreported": "个指标",
    "data_quality:spending_on_zero_budget": "元",
}


def value_unit(rule: object, sub_rules: object, value: object) -> str:
    """The unit of a flag's value: its rule's, or its first sub-rule's. 支出进度偏慢 takes
    the pace unless only the large-gap sub-rule made it (then the gap in percentage points,
    always negative: a pace never is)."""
    subs = [s for s in str(sub_rules or "").split(",") if s]
    if rule == "slow_spending":
        gap = "large_gap" in subs and (
            "pace" not in subs or (isinstance(value, int | float) and value < 0)
        )
        return VALUE_UNITS["slow_spending:large_gap" if gap else "slow_spending:pace"]
    for sub in subs[:1]:
        if f"{rule}:{sub}" in VALUE_UNITS:
            return VALUE_UNITS[f"{rule}:{sub}"]
    return VALUE_UNITS.get(str(rule), "")


COMMON_COLUMNS = [
    "project_code",
    "project_name",
    "department_code",
    "department",
    "is_sensitive",
    "rule",
    "rule_label",
    "severity",
    "sub_rules",
    "value",
    "threshold",
    "as_of_month",
    "message",
    "message_en",
]


def warning_flags(
    conn: duckdb.DuckDBPyConnection,
    year: int,
    month: int,
    scope: Scope | None = None,
    rules: Iterable[str] | None = None,
    *,
    messages: bool = True,
) -> pd.DataFrame:
    """All flags of the chosen rules at a year-month: worst severity first, then key projects,
    then the larger adjusted budget. messages=False leaves the sentences (message,
    message_en) empty, for with_messages() to word only the rows a page shows or exports: at
    city scale there are tens of thousands of flags and a page shows a few dozen."""
    wanted = [RULES_BY_ID[r] for r in rules] if rules is not None else list(RULES)
    frames = []
    for rule in wanted:
        # annual rules (costs, disclosure) take no month
        period = {"year": year, "month": month}
        params = {k: v for k, v in period.items() if k in load_query(rule.query).params}
        df = run_query(conn, rule.query, scope, **params)
        if df.empty:
            continue
        df["as_of_month"] = month
        df["rule_label"] = rule.label_zh
        df["message"] = None
        df["message_en"] = None
        frames.append(df)
    if not frames:
        return pd.DataFrame(columns=COMMON_COLUMNS)
    flags = pd.concat(frames, ignore_index=True)
    # Worst first; within a severity, key projects and then the money at stake, so the top of
    # the list is what a leader should look at first.
    weight = run_query(conn, "project_list", scope, year=year).set_index("project_code")
    flags["severity_rank"] = flags["severity"].map(SEVERITY_ORDER)
    flags["_key"] = flags["project_code"].map(weight["is_key"]).fillna(False).astype(bool)
    budget = weight["adjusted_budget_yuan"].map(lambda v: None if v is None else float(v))
    flags["_budget"] = pd.to_numeric(flags["project_code"].map(budget), errors="coerce").fillna(0.0)
    flags = flags.sort_values(
        ["severity_rank", "_key", "_budget", "department_code", "project_code", "rule"],
        ascending=[False, False, False, True, True, True],
        kind="stable",
    ).drop(columns=["severity_rank", "_key", "_budget"])
    extra = [c for c in flags.columns if c not in COMMON_COLUMNS]
    flags = flags[COMMON_COLUMNS + extra].reset_index(drop=True)
    return with_messages(flags) if messages else flags


def with_messages(flags: pd.DataFrame) -> pd.DataFrame:
    """The flags with their sentences in Chinese and English (message, message_en), worded
    here for exactly these rows; rows already worded keep theirs."""
    if flags.empty or ("message" in flags and flags["message"].notna().all()):
        return flags
    out = flags.copy()
    zh, en = (
        list(out.get("message", [None] * len(out))),
        list(out.get("message_en", [None] * len(out))),
    )
    for i, row in enumerate(out.itertuples(index=False)):
        if zh[i] is None or en[i] is None or zh[i] != zh[i]:
            month = int(row.as_of_month)
            zh[i] = _MESSAGES[row.rule](row, month, "zh")
            en[i] = _MESSAGES[row.rule](row, month, "en")
    out["message"], out["message_en"] = zh, en
    return out


# --- one verdict: lights and counts ---------------------------------------------------------

# A light, worst first; grey (nothing to judge) ranks below green (perfbudget.vocab).
LIGHT_RANK = vocab.LIGHT_RANK


def light_flags(flags: pd.DataFrame) -> pd.DataFrame:
    """The flags a light is made of, and what the overview's 预警 tile counts: the red and
    yellow flags of the performance rules. Blue notes (ahead of schedule, target likely set
    too low) and data_quality flags are shown beside them, never mixed in (docs/figures.md#warning-counts)."""
    keep = flags["rule"].isin(PERFORMANCE_RULES) & flags["severity"].isin(("red", "yellow"))
    return flags[keep].reset_index(drop=True)


@dataclass(frozen=True)
class FlagCounts:
    """The flags of a month counted once, by what they are: red + yellow performance
    warnings (预警), blue credibility notes (蓝色提示) and data-quality notes (数据质量提示),
    which add up to `total`, every flag."""

    red: int
    yellow: int
    blue: int
    data_quality: int

    @property
    def warnings(self) -> int:
        """预警N条: red + yellow performance flags (the overview tile)."""
        return self.red + self.yellow

    @property
    def total(self) -> int:
        return self.red + self.yellow + self.blue + self.data_quality

    @property
    def light(self) -> str:
        """The light of the 预警 tile (overview, briefing): red with any red warning, else
        yellow with any yellow one, else green. Blue and data-quality notes never colour it."""
        return "red" if self.red else ("yellow" if self.yellow else "green")


def flag_counts(flags: pd.DataFrame) -> FlagCounts:
    """Red, yellow and blue performance flags, data_quality flags (whatever their severity);
    red + yellow + blue + data_quality = every flag given."""
    performance = flags[flags["rule"].isin(PERFORMANCE_RULES)]
    severities = performance["severity"].value_counts()
    quality = int((flags["rule"] == "data_quality").sum())
    counts = FlagCounts(
        red=int(severities.get("red", 0)),
        yellow=int(severities.get("yellow", 0)),
        blue=int(severities.get("blue", 0)),
        data_quality=quality,
    )
    if counts.total != len(flags):  # a severity outside red / yellow / blue
        raise ValueError(f"flags with an unknown severity: {sorted(set(performance['severity']))}")
    return counts


def _worst(codes: Iterable[str]) -> str:
    return max(codes, key=LIGHT_RANK.__getitem__, default="grey")


def project_lights(flags: pd.DataFrame, projects: pd.DataFrame) -> pd.DataFrame:
    """Every project of `projects` (project_execution rows: project_code, is_reported,
    adjusted_budget_yuan) with its light (docs/figures.md#lights): the worst of its
    performance flags — red, yellow, else green; blue notes and data_quality left out — and
    grey only when it has no red or yellow flag and no figure to judge (未报送, or a zero
    budget). A 未报送 project with a red disclosure flag is red.
    Returns project_code, light, red_count, yellow_count (its red and yellow flags), in the
    order of `projects`."""
    judged = light_flags(flags)
    judged = judged[judged["project_code"].notna() & (judged["project_code"] != "")]
    # column-wise: a city has 50,000 projects
    per_project = (
        judged.groupby(["project_code", "severity"]).size().unstack(fill_value=0)
        if not judged.empty
        else pd.DataFrame()
    )
    codes = projects["project_code"]
    red = per_project["red"] if "red" in per_project else pd.Series(dtype=int)
    yellow = per_project["yellow"] if "yellow" in per_project else pd.Series(dtype=int)
    red_counts = codes.map(red).fillna(0).astype(int).to_numpy()
    yellow_counts = codes.map(yellow).fillna(0).astype(int).to_numpy()
    budget = pd.to_numeric(
        projects["adjusted_budget_yuan"].map(lambda v: None if v is None else float(v)),
        errors="coerce",
    )
    reported = projects["is_reported"].fillna(False).astype(bool).to_numpy()
    nothing_to_judge = ~reported | budget.isna().to_numpy() | (budget.to_numpy() == 0)
    lights = np.where(
        red_counts > 0,
        "red",
        np.where(yellow_counts > 0, "yellow", np.where(nothing_to_judge, "grey", "green")),
    )
    return pd.DataFrame(
        {
            "project_code": codes.to_numpy(),
            "light": lights.astype(object),
            "red_count": red_counts,
            "yellow_count": yellow_counts,
        }
    )


def scope_lights(
    flags: pd.DataFrame, projects: pd.DataFrame, departments: pd.DataFrame
) -> pd.DataFrame:
    """The light of every project, department and district in scope, one rule throughout:
    a project's as project_lights; a department's the worst of its projects' lights and of
    its own (department-wide) red and yellow performance flags, such as a disclosure coverage
    gap; a district's the worst of its departments'. So a department is red exactly when a
    red flag concerns it or one of its projects.
    projects: project_execution rows (with department_code); departments:
    department_execution rows (department_code, district).
    Returns level ('district', 'department' or 'project'), key (district name,
    department_code or project_code), light, project_count, red_project_count,
    yellow_project_count (for a project: 1, and 1 or 0)."""
    lights = project_lights(flags, projects)
    lights["department_code"] = projects["department_code"].to_numpy()
    own = light_flags(flags)
    own = own[own["project_code"].isna() | (own["project_code"] == "")]
    own_worst = own.groupby("department_code")["severity"].agg(_worst)
    # as district_execution names a department without a district
    district_of = {
        code: name if isinstance(name, str) else "（未指定区）"
        for code, name in zip(departments["department_code"], departments["district"], strict=True)
    }
    rank = lights["light"].map(LIGHT_RANK)
    by_department = (
        pd.DataFrame(
            {
                "department_code": lights["department_code"],
                "rank": rank,
                "red": (lights["light"] == "red").astype(int),
                "yellow": (lights["light"] == "yellow").astype(int),
            }
        )
        .groupby("department_code")
        .agg(
            rank=("rank", "max"),
            count=("rank", "size"),
            red=("red", "sum"),
            yellow=("yellow", "sum"),
        )
    )
    by_rank = {v: k for k, v in LIGHT_RANK.items()}
    rows = []
    for code in departments["department_code"]:
        mine = by_department.loc[code] if code in by_department.index else None
        candidates = [by_rank[int(mine["rank"])]] if mine is not None else []
        if code in own_worst:
            candidates.append(own_worst[code])
        rows.append(
            (
                "department",
                code,
                _worst(candidates),
                0 if mine is None else int(mine["count"]),
                0 if mine is None else int(mine["red"]),
                0 if mine is None else int(mine["yellow"]),
            )
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "level",
            "key",
            "light",
            "project_count",
            "red_project_count",
            "yellow_project_count",
        ],
    )
    districts = []
    for district, part in frame.groupby(frame["key"].map(district_of), sort=True):
        districts.append(
            (
                "district",
                district,
                _worst(part["light"]),
                int(part["project_count"].sum()),
                int(part["red_project_count"].sum()),
                int(part["yellow_project_count"].sum()),
            )
        )
    project_rows = pd.DataFrame(
        {
            "level": "project",
            "key": lights["project_code"],
            "light": lights["light"],
            "project_count": 1,
            "red_project_count": (lights["light"] == "red").astype(int),
            "yellow_project_count": (lights["light"] == "yellow").astype(int),
        }
    )
    return pd.concat(
        [pd.DataFrame(districts, columns=frame.columns), frame, project_rows], ignore_index=True
    )


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
    parts.append(
        f"By month {month} spending is {rate} of budget, {behind} pp behind time progress {tp}"
    )
    if isinstance(row.pace_severity, str):
        parts.append(f"pace {fmt.ratio(row.pace)} is below {fmt.ratio(row.pace_threshold)}")
    if isinstance(row.gap_severity, str):
        parts.append(
            f"a large project ({fmt.money(row.adjusted_budget_yuan, lang='en')}) past the "
            f"{fmt.number(row.large_gap_red_pp, 1)} pp red line"
        )
    return "; ".join(parts) + "."


def _over_budget(row, month: int, lang: str) -> str:
    spent, budget = (
        fmt.money(row.spent_yuan, lang=lang),
        fmt.money(row.adjusted_budget_yuan, lang=lang),
    )
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
            return (
                f"截至{month}月支出进度（进度比）{pace}，产出进度仅{output}，"
                f"支出快于产出{diff}（≥{limit}）。"
            )
        return (
            f"By month {month} spending runs at {pace} of schedule but outputs at only "
            f"{output}: spending ahead of outputs by {diff} (≥ {limit})."
        )
    if lang == "zh":
        return (
            f"截至{month}月产出进度{output}，支出进度（进度比）仅{pace}，"
            f"产出快于支出{diff}（≥{limit}），请核实支出是否滞后入账。"
        )
    return (
        f"By month {month} outputs are at {output} of schedule but spending at only "
        f"{pace}: outputs ahead of spending by {diff} (≥ {limit}); check for late booking."
    )


def _indicator_behind(row, month: int, lang: str) -> str:
    progress, limit = fmt.pct(row.value), fmt.pct(row.threshold)
    # an indicator reported quarterly stands on its latest actual, judged against its own
    # month: the sentence says which (截至6月 at an as-of month 8)
    reported = getattr(row, "actual_month", None)
    # None, or NaN (not equal to itself), when the row has no actual month
    reported_month = int(reported) if reported is not None and reported == reported else None
    older = reported_month is not None and reported_month < month
    when_zh = f"截至{reported_month}月（最近一次填报）" if older else f"截至{month}月"
    when_en = f"By month {reported_month} (its latest report)" if older else f"By month {month}"
    unit = row.unit if isinstance(row.unit, str) else ""
    actual = row.actual if isinstance(row.actual, str) else fmt.EMPTY
    actual = fmt.number(actual) if _is_number(actual) else actual
    if row.sub_rules == "ahead":
        if lang == "zh":
            return (
                f"{when_zh}「{row.indicator}」完成{actual}{unit}（目标{row.target}），"
                f"序时进度{progress}，远超序时（≥{limit}），请核实数据真实性或目标是否偏低。"
            )
        return (
            f"{when_en} '{row.indicator}' reached {actual}{unit} (target {row.target}), "
            f"{progress} of schedule (≥ {limit}): check the figure, or whether the target is too low."
        )
    behind_count = int(row.red_count) + int(row.yellow_count)
    reason = row.reason if isinstance(row.reason, str) and row.reason.strip() else None
    if lang == "zh":
        text = (
            f"{when_zh}「{row.indicator}」完成{actual}{unit}（目标{row.target}），"
            f"序时进度{progress}，低于{limit}"
        )
        if behind_count > 1:
            text += f"；共{behind_count}个指标进度偏慢"
        text += f"；偏差原因：{reason}" if reason else "；未填写偏差原因"
        return text + "。"
    text = (
        f"{when_en} '{row.indicator}' reached {actual}{unit} (target {row.target}), "
        f"{progress} of schedule, below {limit}"
    )
    if behind_count > 1:
        text += f"; {behind_count} indicators are behind"
    text += f"; reason given: {reason}" if reason else "; no reason given"
    return text + "."


def _large_balance(row, month: int, lang: str) -> str:
    rate, limit = fmt.pct(row.value), fmt.pct(row.threshold)
    balance = fmt.money(row.balance_yuan, lang=lang)
    if row.sub_rules == "year_end":
        if lang == "zh":
            return f"年末执行率{fmt.pct(row.execution_rate)}，结转结余{balance}，结余率{rate}（≥{limit}）。"
        return (
            f"Year-end execution {fmt.pct(row.execution_rate)}: {balance} left unspent, "
            f"a balance rate of {rate} (≥ {limit})."
        )
    forecast = fmt.money(row.forecast_yuan, lang=lang)
    budget = fmt.money(row.adjusted_budget_yuan, lang=lang)
    if lang == "zh":
        return (
            f"截至{month}月单位预计全年执行{forecast}，调整后预算{budget}，"
            f"预计结余{balance}，预计结余率{rate}（≥{limit}）。"
        )
    return (
        f"As of month {month} the unit forecasts spending {forecast} of a {budget} budget: "
        f"{balance} expected unspent, {rate} (≥ {limit})."
    )


def _cost_above_reference(row, month: int, lang: str) -> str:
    unit = row.output_unit or ""
    cost = fmt.number(row.unit_cost_yuan)
    reference = fmt.number(row.reference_unit_cost_yuan)
    deviation, limit = fmt.pct(row.value), fmt.pct(row.threshold)
    if lang == "zh":
        basis = (
            "成本定额标准"
            if row.sub_rules == "standard"
            else f"同类{int(row.peer_count)}个项目中位数"
        )
        return (
            f"「{row.service_class}」单位成本{cost}元/{unit}，高于{basis}{reference}元/{unit}"
            f"达{deviation}（>{limit}）。"
        )
    basis = (
        "the cost standard"
        if row.sub_rules == "standard"
        else f"the median of {int(row.peer_count)} peers"
    )
    return (
        f"'{row.service_class}' unit cost {cost} yuan/{unit} is {deviation} above "
        f"{basis} of {reference} yuan/{unit} (> {limit})."
    )


def _target_not_met(row, month: int, lang: str) -> str:
    unit = row.unit if isinstance(row.unit, str) else ""
    actual = row.actual if isinstance(row.actual, str) else fmt.EMPTY
    actual = fmt.number(actual) if _is_number(actual) else actual
    attainment, limit = fmt.pct(row.value), fmt.pct(row.threshold)
    if row.sub_rules == "target_too_low":
        if lang == "zh":
            return (
                f"年末「{row.indicator}」完成{actual}{unit}（目标{row.target}），完成率{attainment}"
                f"（≥{limit}），目标可能设定偏低。"
            )
        return (
            f"At year end '{row.indicator}' reached {actual}{unit} (target {row.target}), "
            f"{attainment} (≥ {limit}): the target was likely set too low."
        )
    count = int(row.red_count) + int(row.yellow_count)
    if lang == "zh":
        text = (
            f"年末「{row.indicator}」完成{actual}{unit}（目标{row.target}），完成率{attainment}，"
            f"低于{limit}"
        )
        return text + (f"；共{count}个指标未完成。" if count > 1 else "。")
    text = (
        f"At year end '{row.indicator}' reached {actual}{unit} (target {row.target}), "
        f"{attainment}, below {limit}"
    )
    return text + (f"; {count} indicators not met." if count > 1 else ".")


def _rectification_overdue(row, month: int, lang: str) -> str:
    days, count = int(row.days_overdue), int(row.overdue_count)
    if lang == "zh":
        text = (
            f"整改事项「{row.issue}」于{row.feedback_date:%Y-%m-%d}反馈，应于{row.due_date:%Y-%m-%d}前完成，"
            f"截至{month}月底仍未完成，已逾期{days}天"
        )
        return text + (f"；共{count}项逾期。" if count > 1 else "。")
    text = (
        f"Rectification '{row.issue}' (feedback {row.feedback_date:%Y-%m-%d}, due "
        f"{row.due_date:%Y-%m-%d}) is still open at the end of month {month}, {days} days overdue"
    )
    return text + (f"; {count} items overdue." if count > 1 else ".")


def _disclosure_gap(row, month: int, lang: str) -> str:
    if row.sub_rules == "project_not_disclosed":
        budget, limit = (
            fmt.money(row.initial_budget_yuan, lang=lang),
            fmt.money(row.threshold, lang=lang),
        )
        if lang == "zh":
            return f"年初预算{budget}（≥{limit}），但未公开绩效目标。"
        return f"Initial budget {budget} (≥ {limit}) but its performance targets are not disclosed."
    coverage, limit = fmt.pct(row.value), fmt.pct(row.threshold)
    if lang == "zh":
        return (
            f"公开绩效目标的项目预算{fmt.money(row.disclosed_budget_yuan)}，仅占部门非涉密项目预算"
            f"{fmt.money(row.department_budget_yuan)}的{coverage}，低于{limit}。"
        )
    return (
        f"Projects with disclosed targets cover {coverage} of the department's non-sensitive "
        f"project budget ({fmt.money(row.department_budget_yuan, lang='en')}), below {limit}."
    )


_DATA_QUALITY_TEXT = {
    "no_targets": (
        "未申报绩效目标（未按规定申报绩效目标的，不得安排预算）",
        "no performance targets filed",
    ),
    "no_cost_indicator": ("未设置成本指标", "no cost indicator"),
    "points_not_90": (
        "指标分值合计{points}分，不等于90分",
        "indicator points total {points}, not 90",
    ),
    "not_reported": (
        "截至{month}月未报送支出数据（最近报送：{last}）",
        "no spending reported for month {month} (last report: {last})",
    ),
    "indicator_unreported": (
        "{n}个指标截至{month}月未填报任何完成值",
        "{n} indicators have no value at all up to month {month}",
    ),
    "spending_on_zero_budget": (
        "调整后预算为0但已支出{spent}",
        "spending of {spent} on a zero budget",
    ),
}


def _data_quality(row, month: int, lang: str) -> str:
    last = row.last_reported_month
    has_last = last is not None and last == last
    values = {
        "points": fmt.number(row.points_total),
        "month": month,
        "last": (f"{int(last)}月" if lang == "zh" else f"month {int(last)}")
        if has_last
        else ("无" if lang == "zh" else "none"),
        "n": int(row.unreported_indicator_count),
        "spent": fmt.money(row.spent_yuan, lang=lang),
    }
    index = 0 if lang == "zh" else 1
    parts = [_DATA_QUALITY_TEXT[s][index].format(**values) for s in row.sub_rules.split(",")]
    if lang != "zh" and values["n"] == 1:
        parts = [p.replace("1 indicators have", "1 indicator has") for p in parts]
    return ("；".join(parts) + "。") if lang == "zh" else ("; ".join(parts).capitalize() + ".")


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
    "large_balance": _large_balance,
    "cost_above_reference": _cost_above_reference,
    "target_not_met": _target_not_met,
    "rectification_overdue": _rectification_overdue,
    "disclosure_gap": _disclosure_gap,
    "data_quality": _data_quality,
}


# --- persistence over months and follow-up --------------------------------------------------

FOLLOWUP_STATUSES = ("已关注", "已处理")


def flag_key(df: pd.DataFrame) -> pd.Series:
    """What names a flag across months and in its follow-ups: project ('' for a department's
    own flag) | department | rule (`rule` of warning_flags, or `rule_id` of flag_followups)."""
    project = df["project_code"].fillna("").astype(str)
    rule = df["rule"] if "rule" in df else df["rule_id"]
    return project + "|" + df["department_code"].astype(str) + "|" + rule.astype(str)


def with_followup(
    flags: pd.DataFrame, persistence: pd.DataFrame, followups: pd.DataFrame
) -> pd.DataFrame:
    """These flags with how long each has lasted and what a leader last did about it:
    since_month and months_flagged (from `persistence`, as flags.persistence gives them;
    missing where unknown), followup_status (已关注 / 已处理 of the latest row of
    `followups`, the flag_followups query; missing without one) and followup_note (that
    row's note)."""
    keys = flag_key(flags)
    latest = followups[followups["is_latest"].astype(bool)] if not followups.empty else followups

    def by_key(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
        # keyed once per frame: at city scale `persistence` has every flag of the month
        if frame.empty:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        keyed = frame.assign(_key=flag_key(frame)).drop_duplicates("_key", keep="last")
        return keyed.set_index("_key")[columns]

    lasted = by_key(persistence, ["since_month", "months_flagged"])
    done = by_key(latest, ["status", "note"] if "note" in latest else ["status"])
    note = done["note"] if "note" in done else pd.Series(dtype=object)
    return flags.assign(
        since_month=keys.map(lasted["since_month"]).to_numpy(),
        months_flagged=keys.map(lasted["months_flagged"]).to_numpy(),
        followup_status=keys.map(done["status"]).to_numpy(),
        followup_note=keys.map(note).to_numpy(),
    )


def followups_of(followups: pd.DataFrame, flag: pd.Series) -> pd.DataFrame:
    """The follow-up history of one flag (a row of warning_flags) among `followups` (the
    flag_followups query), in its order (newest first)."""
    project = flag["project_code"] if isinstance(flag["project_code"], str) else ""
    mine = (
        (followups["project_code"].fillna("").astype(str) == project)
        & (followups["department_code"].astype(str) == str(flag["department_code"]))
        & (followups["rule_id"].astype(str) == str(flag["rule"]))
    )
    return followups[mine]


def since_months(flags_by_month: dict[int, pd.DataFrame], month: int) -> pd.DataFrame:
    """For each flag raised at `month`, the first month of its unbroken run of months ending
    there ("红色预警自3月起连续6个月"). Months missing from the mapping break a run."""
    current = flags_by_month.get(month)
    columns = ["project_code", "department_code", "rule", "since_month", "months_flagged"]
    if current is None or current.empty:
        return pd.DataFrame(columns=columns)
    keys_by_month = {m: set(flag_key(df)) for m, df in flags_by_month.items() if not df.empty}
    out = current[["project_code", "department_code", "rule"]].copy()
    since = []
    for key in flag_key(current):
        first = month
        while first - 1 in keys_by_month and key in keys_by_month[first - 1]:
            first -= 1
        since.append(first)
    out["since_month"] = since
    out["months_flagged"] = month - out["since_month"] + 1
    return out.reset_index(drop=True)


def monthly_rule_ids() -> tuple[str, ...]:
    """The rules whose flags depend on the as-of month (the others are annual: costs,
    disclosure)."""
    return tuple(r.rule_id for r in RULES if "month" in load_query(r.query).params)


def flag_keys(
    conn: duckdb.DuckDBPyConnection,
    year: int,
    month: int,
    scope: Scope | None = None,
    rules: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Which (project, department, rule) are flagged at a month: only what since_months
    needs, without the sentences, ordering or the annual rules, so looking back over the
    earlier months of a year stays cheap."""
    wanted = [RULES_BY_ID[r] for r in (rules if rules is not None else monthly_rule_ids())]
    frames = []
    for rule in wanted:
        if "month" not in load_query(rule.query).params:
            continue
        df = run_query(conn, rule.query, scope, year=year, month=month)
        if not df.empty:
            frames.append(df[["project_code", "department_code", "rule"]])
    if not frames:
        return pd.DataFrame(columns=["project_code", "department_code", "rule"])
    return pd.concat(frames, ignore_index=True)


def persistence(
    current: pd.DataFrame,
    month: int,
    keys_at: Callable[[int, tuple[str, ...]], pd.DataFrame],
) -> pd.DataFrame:
    """since_months for the flags `current` raised at `month`, reading earlier months through
    keys_at(month, rules) only while some flag's run is unbroken, and only for the rules of
    those flags. Annual rules hold for every month of the year."""
    monthly = set(monthly_rule_ids())
    annual = current.loc[
        ~current["rule"].isin(monthly), ["project_code", "department_code", "rule"]
    ]
    by_month = {month: current}
    earliest = month
    while earliest > 1:
        since = since_months(by_month, month)
        running = since[(since["since_month"] == earliest) & since["rule"].isin(monthly)]
        if running.empty:
            break
        earliest -= 1
        rules = tuple(sorted(set(running["rule"])))
        by_month[earliest] = pd.concat([keys_at(earliest, rules), annual], ignore_index=True)
    return since_months(by_month, month)


def record_followup(
    conn: duckdb.DuckDBPyConnection,
    *,
    year: int,
    project_code: str | None,
    department_code: str,
    rule_id: str,
    as_of_month: int,
    status: str,
    note: str | None,
    user: str,
    origin: str = "",
) -> None:
    """Keep a leader's 已关注 / 已处理 on a flag, with who and when (append-only history), and
    in the audit log (the same transaction)."""
    if status not in FOLLOWUP_STATUSES:
        raise ValueError(f"status must be one of {FOLLOWUP_STATUSES}, not {status!r}")
    if rule_id not in RULES_BY_ID:
        raise ValueError(f"unknown rule {rule_id!r}")
    if users.refused(conn, user, "follow_up") is not None:
        raise ValueError(f"用户 {user} 无权跟进预警 / the user {user} may not follow up flags")
    with transaction(conn):
        conn.execute(
            "insert into flag_followups (year, project_code, department_code, rule_id, "
            "as_of_month, status, note, user_name, noted_at) "
            "values (?, ?, ?, ?, ?, ?, ?, ?, now()::timestamp)",
            [
                year,
                project_code or "",
                department_code,
                rule_id,
                as_of_month,
                status,
                (note or "").strip() or None,
                user,
            ],
        )
        where = project_code or f"department {department_code}"
        audit.record(conn, user=user, action=audit.FOLLOW_UP, origin=origin,
                     detail=f"{year} {where} {rule_id} (month {as_of_month}): {status}")  # fmt: skip
