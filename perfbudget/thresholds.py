"""The threshold registry: every limit the warning rules, the league table, the
self-evaluation and the importer are judged against, each defined once — its default, its
kind and unit, the values it may take, its label and help in Chinese and English.

    THRESHOLDS          every threshold, in the order the settings page lists them
    BY_KEY              the same by (rule_id, name)
    ORDERED             pairs whose order must hold: lower < upper (a red line below its yellow)
    WEIGHT_GROUPS       weights of a whole: not all zero
    current(values)     the stored values, for text: "{limit.slow_spending.pace_red_below}"

The defaults are seeded into the database's `thresholds` table (perfbudget.rules), which is
what the queries read, so a bureau can change them on the settings page; perfbudget.settings_store
checks a change against the kinds and limits here, the settings page takes its labels, help
and steps from here, and perfbudget.i18n takes the threshold_<rule>_<name> strings from here
and fills the "{limit.<rule>.<name>}" placeholders of its texts with the current values.
No streamlit, no database: pure definitions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

D = Decimal
# ratio: a plain number such as the pace R (1.0 = on schedule), shown as 0.8;
# rate: a rate that may pass 1 (an execution rate, a deviation), shown as a percentage;
# fraction: a share between 0 and 1, shown as a percentage; yuan: an amount in 元;
# pp: percentage points; integer: a whole number (months, days, counts, MB …);
# points: self-evaluation points (0–100); weight: a league weight, relative to the others.
Kind = Literal["ratio", "rate", "fraction", "yuan", "pp", "integer", "points", "weight"]

UNITS: dict[str, tuple[str, str]] = {
    "": ("", ""),
    "month": ("月", "month"),
    "yuan": ("元", "yuan"),
    "pp": ("百分点", "pp"),
    "projects": ("个项目", "projects"),
    "days": ("天", "days"),
    "mb": ("MB", "MB"),
    "rows": ("行", "rows"),
    "seconds": ("秒", "seconds"),
    "points": ("分", "points"),
}
KIND_TEXT: dict[str, tuple[str, str]] = {
    "ratio": ("比值（1.0为与序时同步）", "a ratio (1.0 = on schedule)"),
    "rate": ("比率（可超过100%）", "a rate (may pass 100%)"),
    "fraction": ("比例（0–100%）", "a share (0–100%)"),
    "yuan": ("金额", "an amount"),
    "pp": ("百分点，落后为负", "percentage points, behind is negative"),
    "integer": ("整数", "a whole number"),
    "points": ("分值", "points"),
    "weight": ("权重（与同组其他权重按比例计）", "a weight (relative to the others of its group)"),
}


@dataclass(frozen=True)
class Threshold:
    """One threshold. low/high: the smallest and largest value it may take (None: no limit)."""

    rule_id: str
    name: str
    default: Decimal
    kind: Kind
    unit: str
    label_zh: str
    label_en: str
    low: Decimal | int | None = 0
    high: Decimal | int | None = None
    help_zh: str = ""
    help_en: str = ""
    increment: float | None = None  # the settings page's +/− step, where the kind's is too small

    @property
    def key(self) -> tuple[str, str]:
        return (self.rule_id, self.name)

    @property
    def label_key(self) -> str:
        """Its label's perfbudget.i18n key; the help is label_key + "_help"."""
        return f"threshold_{self.rule_id}_{self.name}"

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_zh

    def span(self) -> str:
        """The values it may take: "1–12", "≥ 0", "≤ 0", "0–1"."""
        if self.low is not None and self.high is not None:
            return f"{self.low}–{self.high}"
        if self.low is not None:
            return f"≥ {self.low}"
        return f"≤ {self.high}" if self.high is not None else ""

    # --- as the settings page shows it: an amount in 万元, a rate or share in % ----------

    def input_scale(self) -> Decimal:
        """The stored value ÷ this is what the settings page shows (10,000,000 元 → 1,000 万元,
        0.6 → 60%): a raw 10000000 was easy to give a zero too many."""
        if self.kind == "yuan":
            return D("10000")
        if self.kind in ("rate", "fraction"):
            return D("0.01")
        return D("1")

    def to_input(self, value: object) -> float:
        """A stored value as the settings page's field holds it."""
        return float(Decimal(str(value)) / self.input_scale())

    def from_input(self, shown: object) -> Decimal:
        """The settings page's field back to the stored value, exactly (60 → 0.6)."""
        return Decimal(str(shown)) * self.input_scale()

    def input_step(self) -> float:
        """The settings page's +/− step, in what the field shows."""
        return float(Decimal(str(self.step())) / self.input_scale())

    def input_unit(self, lang: str) -> str:
        """The unit of the settings page's field: 万元 / 10k CNY, %, or the threshold's own."""
        en = lang == "en"
        if self.kind == "yuan":
            return "10k CNY" if en else "万元"
        if self.kind in ("rate", "fraction"):
            return "%"
        return UNITS[self.unit][en]

    def _input_span(self) -> str:
        """span() in what the settings page's field shows (0–100 for a share)."""
        scale = self.input_scale()

        def shown(bound: Decimal | int) -> str:
            return _plain(Decimal(str(bound)) / scale)

        if self.low is not None and self.high is not None:
            return f"{shown(self.low)}–{shown(self.high)}"
        if self.low is not None:
            return f"≥ {shown(self.low)}"
        return f"≤ {shown(self.high)}" if self.high is not None else ""

    def help(self, lang: str) -> str:
        """What it is, its unit and the values it may take, as the settings page's field shows
        them (the page's help)."""
        en = lang == "en"
        kind = KIND_TEXT[self.kind][en]
        unit = self.input_unit(lang)
        extra = self.help_en if en else self.help_zh
        if en:
            parts = [kind, f"unit: {unit}" if unit else "", f"allowed: {self._input_span()}"]
            return "; ".join(p for p in [*parts, extra] if p) + f" ({self.rule_id}.{self.name})"
        parts = [kind, f"单位：{unit}" if unit else "", f"允许：{self._input_span()}", extra]
        return "；".join(p for p in parts if p) + f"（{self.rule_id}.{self.name}）"

    def step(self) -> float:
        """How far the settings page's +/− moves it."""
        if self.increment is not None:
            return float(self.increment)
        if self.kind == "yuan":
            return 100000.0
        if self.kind in ("integer", "points", "weight", "pp"):
            return 1.0
        return 0.05

    def text(self, value: object, spec: str = "") -> str:
        """A value as a sentence shows it: by its kind (0.8, 10%, 10,000,000, 30), or by a
        format spec ("{limit.indicator_behind.red_below:.0%}" → 60%)."""
        number = Decimal(str(value))
        if spec:
            return format(number, spec)
        if self.kind in ("rate", "fraction"):
            return _plain(number * 100) + "%"
        if self.kind == "yuan":
            return f"{number:,.0f}" if number == number.to_integral_value() else f"{number:,}"
        return _plain(number)


def _plain(number: Decimal) -> str:
    """0.80 → 0.8, 30.000 → 30, 1E+1 → 10: no trailing zeros, never an exponent."""
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


THRESHOLDS: tuple[Threshold, ...] = (
    Threshold(
        "general",
        "first_warning_month",
        D("3"),
        "integer",
        "month",
        "进度类预警自该月起生效（1、2月数据噪声大）",
        "Pace warnings start in this month (January and February are noise)",
        low=1,
        high=12,
    ),
    Threshold(
        "slow_spending",
        "pace_yellow_below",
        D("0.8"),
        "ratio",
        "",
        "进度比 R < 该值为黄色",
        "Pace R below this is yellow",
    ),
    Threshold(
        "slow_spending",
        "pace_red_below",
        D("0.6"),
        "ratio",
        "",
        "进度比 R < 该值为红色",
        "Pace R below this is red",
    ),
    Threshold(
        "slow_spending",
        "large_budget_yuan",
        D("10000000"),
        "yuan",
        "yuan",
        "大额项目：调整后预算数 ≥ 该值（万元）",
        "Large project: adjusted budget ≥ this (10k CNY)",
    ),
    Threshold(
        "slow_spending",
        "large_gap_red_pp",
        D("-20"),
        "pp",
        "pp",
        "大额项目进度差 ≤ 该值（百分点）为红色",
        "Large project gap ≤ this (pp) is red",
        low=None,
        high=0,
    ),
    Threshold(
        "large_balance",
        "yellow_at",
        D("0.10"),
        "fraction",
        "",
        "预计结余率 ≥ 该值为黄色",
        "Forecast balance rate ≥ this is yellow",
        high=1,
    ),
    Threshold(
        "large_balance",
        "red_at",
        D("0.20"),
        "fraction",
        "",
        "预计结余率 ≥ 该值为红色",
        "Forecast balance rate ≥ this is red",
        high=1,
    ),
    Threshold(
        "over_budget",
        "yellow_above",
        D("1.0"),
        "rate",
        "",
        "执行率 > 该值为黄色",
        "Execution rate above this is yellow",
    ),
    Threshold(
        "over_budget",
        "red_above",
        D("1.1"),
        "rate",
        "",
        "执行率 > 该值为红色",
        "Execution rate above this is red",
    ),
    Threshold(
        "cost_above_reference",
        "yellow_above",
        D("0.1"),
        "rate",
        "",
        "单位成本偏离 > 该值为黄色",
        "Unit cost deviation above this is yellow",
    ),
    Threshold(
        "cost_above_reference",
        "red_above",
        D("0.2"),
        "rate",
        "",
        "单位成本偏离 > 该值为红色",
        "Unit cost deviation above this is red",
    ),
    Threshold(
        "cost_above_reference",
        "min_peers",
        D("3"),
        "integer",
        "projects",
        "同类比较至少需要的项目数",
        "Peers needed for a class median",
        low=1,
    ),
    Threshold(
        "spend_output_mismatch",
        "yellow_at",
        D("0.2"),
        "ratio",
        "",
        "|R − 产出进度| ≥ 该值为黄色",
        "|R − output progress| ≥ this is yellow",
    ),
    Threshold(
        "spend_output_mismatch",
        "red_at",
        D("0.35"),
        "ratio",
        "",
        "|R − 产出进度| ≥ 该值为红色",
        "|R − output progress| ≥ this is red",
    ),
    Threshold(
        "indicator_behind",
        "yellow_below",
        D("0.8"),
        "ratio",
        "",
        "指标序时进度 v < 该值为黄色",
        "Indicator progress v below this is yellow",
    ),
    Threshold(
        "indicator_behind",
        "red_below",
        D("0.6"),
        "ratio",
        "",
        "指标序时进度 v < 该值为红色",
        "Indicator progress v below this is red",
    ),
    Threshold(
        "indicator_behind",
        "blue_at",
        D("1.2"),
        "ratio",
        "",
        "v ≥ 该值为蓝色（超前过多，核实真实性）",
        "v ≥ this is blue (too far ahead: check)",
    ),
    Threshold(
        "target_not_met",
        "yellow_below",
        D("0.8"),
        "ratio",
        "",
        "年末完成率 a < 该值为黄色",
        "Year-end attainment a below this is yellow",
    ),
    Threshold(
        "target_not_met",
        "red_below",
        D("0.6"),
        "ratio",
        "",
        "年末完成率 a < 该值为红色",
        "Year-end attainment a below this is red",
    ),
    Threshold(
        "target_not_met",
        "blue_at",
        D("1.3"),
        "ratio",
        "",
        "a ≥ 该值为蓝色（目标可能偏低）",
        "a ≥ this is blue (target likely too low)",
    ),
    Threshold(
        "rectification_overdue",
        "due_days",
        D("30"),
        "integer",
        "days",
        "反馈后应在该天数内完成整改",
        "Days after feedback to finish rectification",
        low=1,
    ),
    Threshold(
        "rectification_overdue",
        "red_after_days",
        D("30"),
        "integer",
        "days",
        "逾期超过该天数为红色",
        "Overdue by more than this many days is red",
    ),
    Threshold(
        "disclosure_gap",
        "min_budget_yuan",
        D("5000000"),
        "yuan",
        "yuan",
        "年初预算 ≥ 该值（万元）的项目须公开绩效目标",
        "Projects with an initial budget ≥ this (10k CNY) disclose targets",
    ),
    Threshold(
        "disclosure_gap",
        "min_coverage",
        D("0.5"),
        "fraction",
        "",
        "公开项目覆盖部门项目支出的最低比例",
        "Minimum disclosed share of a department's project budget",
        high=1,
    ),
    Threshold(
        "forecast",
        "min_curve_projects",
        D("3"),
        "integer",
        "projects",
        "单位历史项目少于该数时改用全区支出曲线预测",
        "Fewer earlier projects than this: use the district curve",
        low=1,
    ),
    Threshold(
        "league",
        "weight_execution",
        D("30"),
        "weight",
        "",
        "考核：预算执行进度权重",
        "League: execution pace weight",
    ),
    Threshold(
        "league",
        "weight_targets",
        D("30"),
        "weight",
        "",
        "考核：绩效目标完成权重",
        "League: target attainment weight",
    ),
    Threshold(
        "league",
        "weight_selfeval",
        D("15"),
        "weight",
        "",
        "考核：绩效自评质量权重",
        "League: self-evaluation quality weight",
    ),
    Threshold(
        "league",
        "weight_rectification",
        D("15"),
        "weight",
        "",
        "考核：整改按时完成权重",
        "League: rectification on time weight",
    ),
    Threshold(
        "league",
        "weight_disclosure",
        D("10"),
        "weight",
        "",
        "考核：信息公开权重",
        "League: disclosure weight",
    ),
    Threshold(
        "selfeval",
        "weight_execution",
        D("10"),
        "points",
        "points",
        "预算执行率权重（分）",
        "Execution rate points",
    ),
    Threshold(
        "selfeval",
        "weight_output",
        D("50"),
        "points",
        "points",
        "产出指标权重（分）",
        "Output indicator points",
    ),
    Threshold(
        "selfeval",
        "weight_benefit",
        D("30"),
        "points",
        "points",
        "效益指标权重（分）",
        "Benefit indicator points",
    ),
    Threshold(
        "selfeval",
        "weight_satisfaction",
        D("10"),
        "points",
        "points",
        "满意度指标权重（分）",
        "Satisfaction indicator points",
    ),
    Threshold(
        "selfeval",
        "weight_cost",
        D("0"),
        "points",
        "points",
        "一级成本指标缺省权重（分；上海2025版以文件分值为准）",
        "Level-1 cost indicator default points (Shanghai 2025: the file's points win)",
    ),
    Threshold(
        "selfeval",
        "grade_excellent_at",
        D("90"),
        "points",
        "points",
        "总分 ≥ 该值为优",
        "Total ≥ this is 优",
        high=100,
    ),
    Threshold(
        "selfeval",
        "grade_good_at",
        D("80"),
        "points",
        "points",
        "总分 ≥ 该值为良",
        "Total ≥ this is 良",
    ),
    Threshold(
        "selfeval",
        "grade_pass_at",
        D("60"),
        "points",
        "points",
        "总分 ≥ 该值为中，低于为差",
        "Total ≥ this is 中, below it 差",
    ),
    Threshold(
        "import",
        "max_file_mb",
        D("200"),
        "integer",
        "mb",
        "导入文件大小上限（MB；网页上传另受200 MB限制）",
        "Largest file to import (MB; a web upload also stops at 200 MB)",
        low=1,
        high=2000,
        # the web upload itself stops at streamlit's server.maxUploadSize (config.toml)
        help_zh="网页上传另受 .streamlit/config.toml 的 server.maxUploadSize 限制",
        help_en="a web upload also stops at server.maxUploadSize in .streamlit/config.toml",
    ),
    Threshold(
        "import",
        "max_rows",
        D("250000"),
        "integer",
        "rows",
        "每个工作表或CSV文件的行数上限",
        "Most rows in one sheet or CSV file",
        low=1,
        high=1048576,
        increment=100000,
    ),
    Threshold(
        "import",
        "parse_seconds",
        D("120"),
        "integer",
        "seconds",
        "读取一个文件的时间上限（秒）",
        "Longest time to read one file (seconds)",
        low=5,
        high=3600,
    ),
)
BY_KEY: dict[tuple[str, str], Threshold] = {t.key: t for t in THRESHOLDS}
# The order a finance officer reads the groups in: the pace rules first, the books last.
GROUP_ORDER: tuple[str, ...] = (
    "general",
    "slow_spending",
    "large_balance",
    "over_budget",
    "spend_output_mismatch",
    "indicator_behind",
    "target_not_met",
    "cost_above_reference",
    "rectification_overdue",
    "disclosure_gap",
    "forecast",
    "league",
    "selfeval",
    "import",
)

# (lower, upper) pairs that must keep their order: lower < upper.
ORDERED: tuple[tuple[tuple[str, str], tuple[str, str]], ...] = (
    (("slow_spending", "pace_red_below"), ("slow_spending", "pace_yellow_below")),
    (("indicator_behind", "red_below"), ("indicator_behind", "yellow_below")),
    (("indicator_behind", "yellow_below"), ("indicator_behind", "blue_at")),
    (("target_not_met", "red_below"), ("target_not_met", "yellow_below")),
    (("target_not_met", "yellow_below"), ("target_not_met", "blue_at")),
    (("large_balance", "yellow_at"), ("large_balance", "red_at")),
    (("over_budget", "yellow_above"), ("over_budget", "red_above")),
    (("cost_above_reference", "yellow_above"), ("cost_above_reference", "red_above")),
    (("spend_output_mismatch", "yellow_at"), ("spend_output_mismatch", "red_at")),
    (("selfeval", "grade_pass_at"), ("selfeval", "grade_good_at")),
    (("selfeval", "grade_good_at"), ("selfeval", "grade_excellent_at")),
)
# Weights of a whole: none negative, not all zero.
WEIGHT_GROUPS: dict[str, tuple[str, ...]] = {
    "league": tuple(t.name for t in THRESHOLDS if t.rule_id == "league"),
}


class _Value:
    def __init__(self, threshold: Threshold, value: object):
        self.threshold, self.value = threshold, value

    def __format__(self, spec: str) -> str:
        return self.threshold.text(self.value, spec)

    def __str__(self) -> str:
        return self.threshold.text(self.value)


class _Rule:
    def __init__(self, rule_id: str, values: Mapping[tuple[str, str], object]):
        self._rule_id, self._values = rule_id, values

    def __getattr__(self, name: str) -> _Value:
        threshold = BY_KEY.get((self._rule_id, name))
        if threshold is None:
            raise AttributeError(f"no threshold {self._rule_id}.{name}")
        return _Value(threshold, self._values.get(threshold.key, threshold.default))


class Current:
    """Thresholds for text: `current.slow_spending.pace_red_below` formats as the value stored
    (or the default where none is given), by its kind."""

    def __init__(self, values: Mapping[tuple[str, str], object] | None = None):
        self._values = values or {}

    def __getattr__(self, rule_id: str) -> _Rule:
        if rule_id.startswith("_") or not any(t.rule_id == rule_id for t in THRESHOLDS):
            raise AttributeError(f"no threshold rule {rule_id}")
        return _Rule(rule_id, self._values)


def current(values: Mapping[tuple[str, str], object] | None = None) -> Current:
    return Current(values)
