"""The canonical import templates (docs/figures.md#canonical-import-templates): for each kind
of table its columns, their Chinese headers, English aliases, types and whether they are
required; and how a header cell is read (unit in brackets, full-width brackets, spaces)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

TABLE_KINDS: tuple[str, ...] = (
    "projects",
    "execution",
    "indicators",
    "costs",
    "cost_standards",
    "rectifications",
    "budget_requests",
)

KIND_NAMES_ZH: dict[str, str] = {
    "projects": "项目",
    "execution": "预算执行",
    "indicators": "绩效指标",
    "costs": "成本",
    "cost_standards": "成本标准",
    "rectifications": "整改",
    "budget_requests": "预算申请",
}

# Money units a header or a "单位：万元" line may name, and their factor to 元.
MONEY_UNITS: dict[str, Decimal] = {
    "元": Decimal(1),
    "千元": Decimal(1000),
    "万元": Decimal(10000),
    "亿元": Decimal(100000000),
}

# Column types: how a cell is read (see tables.py).
YEAR, MONTH, QUARTER, CODE, TEXT, MONEY, NUMBER, BOOL, DATE = (
    "year", "month", "quarter", "code", "text", "money", "number", "bool", "date",
)  # fmt: skip


@dataclass(frozen=True)
class Column:
    key: str  # the English name, also accepted as a header
    zh: str  # the Chinese header of the template
    type: str
    required: bool = False
    aliases: tuple[str, ...] = ()  # other Chinese headers seen in real files
    distinctive: bool = False  # tells this kind of table from the others
    help_zh: str = ""
    help_en: str = ""


@dataclass(frozen=True)
class Template:
    kind: str
    columns: tuple[Column, ...]
    # groups of which exactly one column must be present, e.g. (month, quarter)
    one_of: tuple[tuple[str, ...], ...] = field(default=())

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def name_zh(self) -> str:
        return KIND_NAMES_ZH[self.kind]


_YEAR = Column("year", "年度", YEAR, True, ("预算年度",), help_zh="四位年份，如 2025",
               help_en="four-digit year, e.g. 2025")  # fmt: skip
_PROJECT = Column("project_code", "项目编码", CODE, True, ("项目代码",),
                  help_zh="文本，保留前导零", help_en="text; leading zeros are kept")  # fmt: skip
_MONEY_HELP_ZH = "金额，默认单位元；表头写（万元）或表上方写“单位：万元”则按万元"
_MONEY_HELP_EN = (
    "amount in 元; write （万元） in the header, or a line 单位：万元 above it, for 万元"
)
_BOOL_HELP_ZH = "是/否（也可填 Y/N、1/0、√/×）"
_BOOL_HELP_EN = "yes/no (是/否, Y/N, 1/0, √/×, true/false)"

TEMPLATES: dict[str, Template] = {
    "projects": Template(
        "projects",
        (
            _YEAR,
            _PROJECT,
            Column("project_name", "项目名称", TEXT, True, distinctive=True),
            Column("district", "区", TEXT, aliases=("区县", "所属区", "区域")),
            Column(
                "department_code",
                "主管部门编码",
                CODE,
                aliases=("部门编码",),
                distinctive=True,
                help_zh="缺省时以主管部门名称作编码",
                help_en="when absent the department's name is its code",
            ),
            Column("department", "主管部门", TEXT, True, ("主管部门名称",), distinctive=True),
            Column("unit_code", "预算单位编码", CODE, aliases=("单位编码", "实施单位编码")),
            Column("unit", "预算单位", TEXT, aliases=("预算单位名称", "实施单位")),
            Column(
                "budget_type",
                "预算类型",
                TEXT,
                distinctive=True,
                help_zh="一般公共预算/政府性基金预算/国有资本经营预算/社会保险基金预算",
                help_en="one of the four budgets",
            ),
            Column(
                "category",
                "项目类别",
                TEXT,
                help_zh="如 运行维护类、投资建设类、购买服务类",
                help_en="e.g. 运行维护类, 投资建设类, 购买服务类, 政策类, 信息化",
            ),
            Column(
                "service_class",
                "一类事",
                TEXT,
                help_zh="如 绿化养护、环卫保洁",
                help_en="same-class service, e.g. 绿化养护",
            ),
            Column("is_key", "是否重点项目", BOOL, help_zh=_BOOL_HELP_ZH, help_en=_BOOL_HELP_EN),
            Column("is_sensitive", "是否涉密", BOOL, help_zh=_BOOL_HELP_ZH, help_en=_BOOL_HELP_EN),
            Column(
                "department_sensitive",
                "部门是否涉密",
                BOOL,
                help_zh=_BOOL_HELP_ZH,
                help_en=_BOOL_HELP_EN,
            ),
            Column(
                "targets_disclosed",
                "是否公开绩效目标",
                BOOL,
                help_zh=_BOOL_HELP_ZH,
                help_en=_BOOL_HELP_EN,
            ),
            Column(
                "initial_budget",
                "年初预算数",
                MONEY,
                distinctive=True,
                help_zh=_MONEY_HELP_ZH,
                help_en=_MONEY_HELP_EN,
            ),
            Column(
                "adjusted_budget",
                "调整后预算数",
                MONEY,
                True,
                ("全年预算数",),
                distinctive=True,
                help_zh=_MONEY_HELP_ZH,
                help_en=_MONEY_HELP_EN,
            ),
        ),
    ),
    "execution": Template(
        "execution",
        (
            _YEAR,
            Column(
                "month",
                "月份",
                MONTH,
                help_zh="1–12；与“季度”二选一",
                help_en="1–12; or give 季度 instead",
            ),
            Column(
                "quarter",
                "季度",
                QUARTER,
                distinctive=True,
                help_zh="1–4（第q季度记入第3q月）；与“月份”二选一",
                help_en="1–4 (quarter q is stored as month 3q); or give 月份 instead",
            ),
            _PROJECT,
            Column("fund_source", "资金来源", TEXT, distinctive=True),
            Column("economic_class", "经济分类", TEXT, distinctive=True),
            Column(
                "period_spend",
                "本期支出",
                MONEY,
                aliases=("本月支出", "当期支出"),
                distinctive=True,
                help_zh="本期（当月/当季）支出；与“累计支出”二选一。" + _MONEY_HELP_ZH,
                help_en="spending of the period; or give 累计支出. " + _MONEY_HELP_EN,
            ),
            Column(
                "cumulative_spend",
                "累计支出",
                MONEY,
                aliases=("累计执行数", "累计支出数"),
                distinctive=True,
                help_zh="年初至本期累计支出；与“本期支出”二选一。" + _MONEY_HELP_ZH,
                help_en="spending to date; or give 本期支出. " + _MONEY_HELP_EN,
            ),
            Column(
                "forecast_spend",
                "全年预计执行数",
                MONEY,
                aliases=("全年预计支出",),
                distinctive=True,
                help_zh=_MONEY_HELP_ZH,
                help_en=_MONEY_HELP_EN,
            ),
        ),
        one_of=(("month", "quarter"), ("period_spend", "cumulative_spend")),
    ),
    "indicators": Template(
        "indicators",
        (
            _YEAR,
            _PROJECT,
            Column(
                "level1",
                "一级指标",
                TEXT,
                True,
                distinctive=True,
                help_zh="产出指标/效益指标/满意度指标/成本指标",
                help_en="产出指标, 效益指标, 满意度指标 or 成本指标",
            ),
            Column(
                "level2",
                "二级指标",
                TEXT,
                True,
                distinctive=True,
                help_zh="如 数量指标、质量指标",
                help_en="e.g. 数量指标, 质量指标",
            ),
            Column("indicator", "三级指标", TEXT, True, ("指标名称",), distinctive=True),
            Column(
                "operator",
                "计算符号",
                TEXT,
                aliases=("符号", "指标方向"),
                distinctive=True,
                help_zh="≥ > = ≤ < 定性 不适用；也可写在指标值前（如 ≥95%）",
                help_en="≥ > = ≤ < 定性 不适用; or glued to the target (≥95%)",
            ),
            Column(
                "target",
                "年度指标值",
                TEXT,
                aliases=("指标值", "目标值", "年度目标值"),
                distinctive=True,
                help_zh="数字，或定性描述（如 达标）",
                help_en="a number, or a qualitative target (e.g. 达标)",
            ),
            Column(
                "unit",
                "计量单位",
                TEXT,
                aliases=("度量单位",),
                distinctive=True,
                help_zh="如 %、个、万元（指标值不换算单位）",
                help_en="e.g. %, 个, 万元 (indicator values are never converted)",
            ),
            Column("points", "分值", NUMBER, aliases=("权重",), distinctive=True),
            Column("cumulative", "是否累计", BOOL, help_zh=_BOOL_HELP_ZH, help_en=_BOOL_HELP_EN),
            Column("period_target", "序时目标值", NUMBER, distinctive=True),
            Column(
                "month",
                "月份",
                MONTH,
                help_zh="完成值所属月份，12=年末",
                help_en="month of the actual; 12 = year end",
            ),
            Column(
                "actual",
                "完成值",
                TEXT,
                aliases=("实际完成值", "实际值"),
                distinctive=True,
                help_zh="数字，或 达成/基本达成/部分达成/未达成",
                help_en="a number, or 达成/基本达成/部分达成/未达成",
            ),
            Column(
                "reason", "偏差原因", TEXT, aliases=("偏差原因分析及改进措施",), distinctive=True
            ),
            Column(
                "score",
                "得分",
                NUMBER,
                help_zh="自评得分（可选）",
                help_en="the self-evaluation score claimed (optional)",
            ),
        ),
    ),
    "costs": Template(
        "costs",
        (
            _YEAR,
            _PROJECT,
            Column(
                "cost_item",
                "成本项目",
                TEXT,
                True,
                distinctive=True,
                help_zh="人员成本/设施设备/运行维护/管理费用/其他",
                help_en="人员成本, 设施设备, 运行维护, 管理费用 or 其他",
            ),
            Column(
                "amount",
                "金额",
                MONEY,
                True,
                ("成本金额",),
                distinctive=True,
                help_zh=_MONEY_HELP_ZH,
                help_en=_MONEY_HELP_EN,
            ),
            Column(
                "output_quantity",
                "产出数量",
                NUMBER,
                distinctive=True,
                help_zh="大于0；同一项目各行须一致",
                help_en="> 0; the same on every row of a project",
            ),
            Column(
                "output_unit", "产出单位", TEXT, help_zh="如 平方米、公里", help_en="e.g. 平方米"
            ),
        ),
    ),
    "cost_standards": Template(
        "cost_standards",
        (
            _YEAR,
            Column("service_class", "一类事", TEXT, True),
            Column("output_unit", "产出单位", TEXT, True),
            Column(
                "standard_unit_cost",
                "标准单位成本",
                MONEY,
                True,
                ("成本定额标准", "定额标准"),
                distinctive=True,
                help_zh="每单位产出的成本，大于0。" + _MONEY_HELP_ZH,
                help_en="cost per unit of output, > 0. " + _MONEY_HELP_EN,
            ),
        ),
    ),
    "rectifications": Template(
        "rectifications",
        (
            Column(
                "year",
                "年度",
                YEAR,
                help_zh="可选；填写时项目须属该年度",
                help_en="optional; when given the project must exist in that year",
            ),
            _PROJECT,
            Column("issue", "问题", TEXT, True, ("问题描述", "整改问题"), distinctive=True),
            Column(
                "feedback_date",
                "反馈日期",
                DATE,
                True,
                distinctive=True,
                help_zh="如 2025-03-01；整改期限为反馈后30日",
                help_en="e.g. 2025-03-01; due 30 days after feedback",
            ),
            Column(
                "done_date",
                "完成日期",
                DATE,
                aliases=("整改完成日期",),
                distinctive=True,
                help_zh="空白表示未完成",
                help_en="empty = still open",
            ),
        ),
    ),
    # next year's requests (docs/figures.md#budget-request-review): the project may be new,
    # so it need not be in the projects table; name and department are the request's own
    "budget_requests": Template(
        "budget_requests",
        (
            Column(
                "year",
                "年度",
                YEAR,
                True,
                ("预算年度", "申请年度"),
                help_zh="申请预算的年度，如 2026",
                help_en="the year requested, e.g. 2026",
            ),
            _PROJECT,
            Column("project_name", "项目名称", TEXT, True, distinctive=True),
            Column(
                "department_code",
                "主管部门编码",
                CODE,
                aliases=("部门编码",),
                distinctive=True,
                help_zh="缺省时以主管部门名称作编码",
                help_en="when absent the department's name is its code",
            ),
            Column("department", "主管部门", TEXT, True, ("主管部门名称",), distinctive=True),
            Column("unit_code", "预算单位编码", CODE, aliases=("单位编码", "实施单位编码")),
            Column(
                "service_class",
                "一类事",
                TEXT,
                help_zh="如 绿化养护、环卫保洁",
                help_en="same-class service, e.g. 绿化养护",
            ),
            Column(
                "requested_amount",
                "申请金额",
                MONEY,
                True,
                ("申请预算数", "预算申请数"),
                distinctive=True,
                help_zh="不能为负。" + _MONEY_HELP_ZH,
                help_en="not negative. " + _MONEY_HELP_EN,
            ),
            Column(
                "planned_output_quantity",
                "计划产出数量",
                NUMBER,
                aliases=("计划产出",),
                distinctive=True,
                help_zh="大于0；填写时须填产出单位",
                help_en="> 0; give the output unit with it",
            ),
            Column(
                "output_unit", "产出单位", TEXT, help_zh="如 平方米、公里", help_en="e.g. 平方米"
            ),
            Column(
                "is_new",
                "是否新增项目",
                BOOL,
                aliases=("是否新增",),
                distinctive=True,
                help_zh=_BOOL_HELP_ZH,
                help_en=_BOOL_HELP_EN,
            ),
        ),
    ),
}


@dataclass(frozen=True)
class Header:
    """A header cell as read: the text in the file, its name without unit, and the unit."""

    text: str
    name: str
    unit: str | None


_UNIT_IN_BRACKETS = re.compile(r"^(.*?)\(([^()]*)\)$")
_SPACES = re.compile(r"\s+")


def read_header(text: str) -> Header:
    """`调整后预算数（万元）` → name 调整后预算数, unit 万元. Full-width brackets, 【】 and [],
    spaces and line breaks, and required-field stars are tolerated."""
    norm = unicodedata.normalize("NFKC", text)
    norm = _SPACES.sub("", norm).strip("*:：")
    norm = norm.replace("【", "(").replace("】", ")").replace("[", "(").replace("]", ")")
    unit = None
    match = _UNIT_IN_BRACKETS.match(norm)
    if match and match.group(1):
        norm, unit = match.group(1).strip("*:："), match.group(2).strip() or None
        if unit and unit.startswith(("单位:", "单位：")):
            unit = unit[3:] or None
    return Header(text=text.strip(), name=norm, unit=unit)


def _lookup_key(name: str) -> str:
    return name.lower().replace(" ", "_").replace("-", "_")


def _build_lookup(template: Template) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for col in template.columns:
        for name in (col.zh, *col.aliases):
            lookup[name] = col.key
        lookup[_lookup_key(col.key)] = col.key
    return lookup


LOOKUPS: dict[str, dict[str, str]] = {kind: _build_lookup(t) for kind, t in TEMPLATES.items()}


def match_column(kind: str, header: Header) -> str | None:
    """The template column a header names in a table of this kind, or None."""
    lookup = LOOKUPS[kind]
    return lookup.get(header.name) or lookup.get(_lookup_key(header.name))


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def template_header(col: Column) -> str:
    """The header the downloadable template uses: money columns say their unit."""
    return f"{col.zh}（元）" if col.type == MONEY else col.zh
