"""The briefing (简报): what a finance bureau puts on screen at a monthly or quarterly meeting,
built from the data layer as a model that the PPTX, PDF and XLSX writers render.

    build_briefing(conn, year, month, department_code=None, public=False) -> Briefing

Sections, in order: 总体情况 (KPI tiles and the monthly trend), 各部门执行 (execution against
time progress), 重点预警 (the top warnings), 双监控 (pace against output progress), 绩效自评
(grades of the last completed year), 财政可靠性 (PEFA PI-1 and PI-2 over the last three
completed years), 成本对比 (unit costs above their reference), 成本分析
(the classes with a cost standard or a suggested standard, and the largest one's strip). Each has a
caption in Chinese stating its key figure ("全区执行率38.8%，低于序时进度19.5个百分点"). A
section without data is left out and named in `omitted` with the reason, never drawn empty.

A public briefing (公开) is built with Scope.public(): no sensitive (涉密) project, and no
department that is itself sensitive, reaches any figure, table or sentence. Pure: no
streamlit; the queries run on the connection given, as the CLI does."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd
import plotly.graph_objects as go

from perfbudget import charts, db, flags, thresholds, vocab
from perfbudget import formatting as fmt
from perfbudget.export import file_stem, marking
from perfbudget.export.images import SOURCE_ZH
from perfbudget.export.xlsx import Column
from perfbudget.i18n import t
from perfbudget.reports import last_month
from perfbudget.scope import Scope
from perfbudget.settings_store import read_thresholds

SECTIONS: dict[str, str] = {
    "kpi": "总体情况",
    "execution": "各部门预算执行",
    "warnings": "重点预警",
    "dual_monitoring": "双监控：支出进度与产出进度",
    "selfeval": "绩效自评等级",
    "pefa": "财政可靠性（PEFA）",
    "costs": "成本对比",
    "cost_classes": "成本分析：一类事单位成本",
}
SLIDE_DEPARTMENTS = 12  # departments on the execution slide (the lowest rates)
SLIDE_WARNINGS = 8  # warnings on the warnings slide (worst first)
SLIDE_COSTS = 10  # projects on the cost slide
SLIDE_COST_CLASSES = 3  # classes (一类事) on the cost-analysis slide (most projects first)
# The dashboard's names of the quadrants (perfbudget.vocab, perfbudget.i18n quadrant_*).
QUADRANT_LABELS = {q: t(vocab.quadrant_key(q), "zh") for q in vocab.QUADRANTS}
SYNTHETIC_NOTE = "（演示数据，合成，非真实财政数据）"


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    note: str = ""
    light: str | None = None  # red / yellow / green / blue / grey


@dataclass
class Table:
    """A table of a section: the rows as the queries gave them, and how they are written.
    `slide_columns` are the keys shown on the slide (all columns go to the xlsx)."""

    sheet: str
    title: str
    frame: pd.DataFrame
    columns: list[Column]
    severity_key: str | None = None
    slide_columns: tuple[str, ...] = ()
    slide_rows: int = 10


@dataclass
class Section:
    key: str
    title: str
    caption: str
    figure: go.Figure | None = None
    table: Table | None = None
    kpis: list[Kpi] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    show_table_on_slide: bool = False
    # the slide shows the table (a few rows) and under it the chart
    figure_below_table: bool = False


@dataclass
class Briefing:
    year: int
    month: int
    scope_label: str  # 示例区 / 区教育局
    subject: str  # who the captions speak of: 全区 / 区教育局
    public: bool
    source: str
    generated: date
    sections: list[Section]
    omitted: list[tuple[str, str]]  # (section title, why)
    is_synthetic: bool = False

    @property
    def marking(self) -> str:
        return marking(self.public)

    @property
    def title(self) -> str:
        return f"{self.scope_label}预算绩效简报"

    @property
    def as_of(self) -> str:
        return f"数据截至{self.year}年{self.month}月"

    @property
    def tables(self) -> list[Table]:
        return [s.table for s in self.sections if s.table is not None]

    def file_name(self, suffix: str) -> str:
        """预算绩效简报_示例区_2025年07月_内部.pptx"""
        return (
            f"预算绩效简报_{file_stem(self.scope_label, 30)}_{self.year}年{self.month:02d}月_"
            f"{self.marking}.{suffix.lstrip('.')}"
        )

    def omitted_lines(self) -> list[str]:
        return [f"未包含「{title}」：{why}" for title, why in self.omitted]


class BriefingError(ValueError):
    """The briefing cannot be built (no data for the period, or an unknown department)."""


# --- building ---------------------------------------------------------------------------


# sections chosen by default only when the year has their data (else not even named as left out)
ON_WHEN_COSTED = ("cost_classes",)
ON_WHEN_RATED = ("pefa",)


def default_sections(conn: duckdb.DuckDBPyConnection, year: int) -> list[str]:
    """The sections a briefing has when none are picked: all, the cost analysis only when the
    year has cost data (queries/cost_class_summary.sql has a class), fiscal reliability only
    when PEFA is rated (three completed years up to the year, queries/pefa_scores.sql)."""
    costed = not db.run_query(conn, "cost_class_summary", None, year=year).empty
    pefa = db.run_query(conn, "pefa_scores", None, level="district", year=year)
    rated = bool((pefa["year_count"] >= 3).any()) if not pefa.empty else False
    return [
        key
        for key in SECTIONS
        if (costed or key not in ON_WHEN_COSTED) and (rated or key not in ON_WHEN_RATED)
    ]


def build_briefing(
    conn: duckdb.DuckDBPyConnection,
    year: int,
    month: int,
    department_code: str | None = None,
    *,
    public: bool = False,
    sections: Iterable[str] | None = None,
    base_scope: Scope | None = None,
    today: date | None = None,
) -> Briefing:
    """The briefing of a district (department_code None) or one department at a year-month.
    base_scope is what the user may see (default everything); a public briefing drops the
    sensitive projects from it whatever it says."""
    chosen = (
        default_sections(conn, year)
        if sections is None
        else [s for s in SECTIONS if s in set(sections)]
    )
    unknown = set(sections or ()) - set(SECTIONS)
    if unknown:
        raise BriefingError(f"未知的简报部分 / unknown sections: {', '.join(sorted(unknown))}")
    scope = base_scope or Scope.everything()
    if public:
        scope = Scope(departments=scope.departments, include_sensitive=False)
    scope = scope.narrowed_to(department_code)

    summary = db.run_query(conn, "scope_summary", scope, year=year, month=month)
    if summary.empty or int(summary["project_count"].iloc[0] or 0) == 0:
        where = f"部门 {department_code} " if department_code else ""
        extra = "（公开简报不含涉密项目）" if public else ""
        raise BriefingError(f"{where}{year}年{month}月没有可用数据{extra} / no data in scope")
    kpi = summary.iloc[0]

    if department_code is None:
        districts = db.run_query(conn, "district_execution", scope, year=year, month=month)
        names = [str(d) for d in districts["district"]]
        scope_label = names[0] if len(names) == 1 else "全市"
        subject = "全区" if len(names) <= 1 else "全市"
    else:
        departments = db.run_query(conn, "department_list", scope, year=year)
        scope_label = (
            str(departments["department"].iloc[0]) if not departments.empty else department_code
        )
        subject = scope_label

    meta = dict(db.run_live(conn, "database_meta").itertuples(index=False))
    synthetic = meta.get("is_synthetic") == "true"
    all_flags = flags.warning_flags(conn, year, month, scope)

    built: list[Section] = []
    omitted: list[tuple[str, str]] = []
    builders = {
        "kpi": lambda: _kpi_section(conn, year, month, scope, kpi, subject, all_flags),
        "execution": lambda: _execution_section(
            conn, year, month, scope, department_code, all_flags
        ),
        "warnings": lambda: _warnings_section(all_flags, month),
        "dual_monitoring": lambda: _dual_section(conn, year, month, scope),
        "selfeval": lambda: _selfeval_section(conn, year, month, scope),
        "pefa": lambda: _pefa_section(conn, year, scope, department_code),
        "costs": lambda: _costs_section(conn, year, scope, all_flags),
        "cost_classes": lambda: _cost_classes_section(conn, year, scope, department_code),
    }
    for key in chosen:
        result = builders[key]()
        if isinstance(result, str):
            omitted.append((SECTIONS[key], result))
        else:
            built.append(result)
    return Briefing(
        year=year,
        month=month,
        scope_label=scope_label,
        subject=subject,
        public=public,
        source=SOURCE_ZH + (SYNTHETIC_NOTE if synthetic else ""),
        generated=today or date.today(),
        sections=built,
        omitted=omitted,
        is_synthetic=synthetic,
    )


def _behind_phrase(gap_pp: object) -> str:
    """'低于序时进度19.5个百分点' / '高于…' / '与序时进度持平' from a gap in pp."""
    gap = fmt.to_decimal(gap_pp)
    if gap is None:
        return "无法与序时进度比较"
    shown = fmt.half_up(abs(gap), 1)
    if shown == 0:
        return "与序时进度持平"
    return f"{'低于' if gap < 0 else '高于'}序时进度{shown}个百分点"


def _kpi_section(conn, year, month, scope, kpi, subject, all_flags) -> Section:
    counts = flags.flag_counts(all_flags)
    red, yellow = counts.red, counts.yellow
    caption = f"{subject}执行率{fmt.pct(kpi['execution_rate'])}，{_behind_phrase(kpi['gap_pp'])}"
    if red or yellow:
        caption += f"；红色预警{red}条、黄色预警{yellow}条"
    kpis = [
        Kpi(
            "调整后预算",
            fmt.money(kpi["adjusted_budget_yuan"]),
            f"{int(kpi['department_count'])}个部门 · {int(kpi['project_count'])}个项目",
        ),
        Kpi(
            "累计支出",
            fmt.money(kpi["spent_yuan"]),
            f"{int(kpi['reported_project_count'])}个项目已报送{month}月支出",
        ),
        Kpi(
            "预算执行率",
            fmt.pct(kpi["execution_rate"]),
            f"进度比{fmt.ratio(kpi['pace'])}",
            light=kpi["pace_light"],
        ),
        Kpi(
            "序时进度",
            fmt.pct(kpi["time_progress"]),
            f"进度差{fmt.pp(kpi['gap_pp'])}个百分点",
            light=kpi["pace_light"],
        ),
        Kpi(
            "绩效指标正常率",
            fmt.pct(kpi["indicator_on_track_rate"]),
            f"{int(kpi['indicator_on_track_count'] or 0)}/{int(kpi['indicator_reported_count'] or 0)}"
            "个已填报指标",
        ),
        Kpi("绩效预警", f"{red + yellow}条", f"红色{red}条 · 黄色{yellow}条", light=counts.light),
    ]
    trend = db.run_query(
        conn, "execution_trend", scope, year=year, month=month, department_code=None
    )
    figure = None
    if not trend.empty and trend["spent_yuan"].notna().any():
        figure = charts.execution_trend_chart(trend, "zh", title="")
    frame = pd.DataFrame(
        {
            "item": [k.label for k in kpis] + ["进度比"],
            "value": [k.value for k in kpis] + [fmt.ratio(kpi["pace"])],
            "note": [k.note for k in kpis] + [""],
        }
    )
    table = Table(
        "总体情况",
        "总体情况",
        frame,
        [
            Column("item", "指标", width=18),
            Column("value", "数值", width=20),
            Column("note", "说明", width=36),
        ],
    )
    return Section("kpi", SECTIONS["kpi"], caption, figure=figure, table=table, kpis=kpis)


# how the slides' lights are defined (flags.project_lights, flags.scope_lights)
PROJECT_LIGHT_NOTE = (
    "项目灯取其绩效预警中最差的一个：有红色预警为红灯，否则有黄色预警为黄灯，否则绿灯；"
    "蓝色提示和数据质量提示不计入；未报送或预算为0且无红黄预警的不评灯。"
)
DEPARTMENT_LIGHT_NOTE = (
    "部门灯取其所含项目灯与部门整体预警中最差的一个：有红灯项目即为红灯，"
    "与「重点预警」所列预警一致。"
)


def _execution_section(conn, year, month, scope, department_code, all_flags) -> Section | str:
    if department_code is not None:
        return _project_execution_section(conn, year, month, scope, all_flags)
    departments = db.run_query(conn, "department_execution", scope, year=year, month=month)
    if departments.empty:
        return "没有部门的执行数据"
    projects = db.run_query(conn, "project_execution", scope, year=year, month=month)
    lights = flags.scope_lights(all_flags, projects, departments)
    dept_lights = lights[lights["level"] == "department"].set_index("key")
    light_codes = pd.Series(
        [dept_lights["light"].get(c, "grey") for c in departments["department_code"]]
    )
    red = int((light_codes == "red").sum())
    yellow = int((light_codes == "yellow").sum())
    red_projects = int(dept_lights["red_project_count"].sum())
    ranked = departments.dropna(subset=["execution_rate"]).sort_values(
        ["execution_rate", "department_code"], kind="stable"
    )
    caption = (
        f"{len(departments)}个部门中，红灯{red}个、黄灯{yellow}个（共有红灯项目{red_projects}个）"
    )
    if not ranked.empty:
        low = ranked.iloc[0]
        caption += f"；执行率最低的是{low['department']}（{fmt.pct(low['execution_rate'])}）"
    limit = SLIDE_DEPARTMENTS if len(departments) > SLIDE_DEPARTMENTS else None
    figure = charts.department_execution_bars(departments, lights, "zh", limit=limit, title="")
    notes = (
        [
            f"图中为执行率最低的{SLIDE_DEPARTMENTS}个部门，全部{len(departments)}个部门见 Excel 附表。"
        ]
        if limit
        else []
    )
    notes.append(DEPARTMENT_LIGHT_NOTE + PROJECT_LIGHT_NOTE)
    table = Table(
        "部门执行",
        "各部门预算执行情况",
        departments.assign(severity=light_codes.to_numpy()),
        [
            Column("department_code", "部门编码"),
            Column("department", "主管部门", width=22),
            Column("project_count", "项目数", "integer"),
            Column("adjusted_budget_yuan", "调整后预算数（万元）", "wan"),
            Column("spent_yuan", "累计支出（万元）", "wan"),
            Column("execution_rate", "执行率", "rate"),
            Column("time_progress", "序时进度", "rate"),
            Column("gap_pp", "进度差（百分点）", "pp"),
            Column("pace", "进度比", "number"),
        ],
        severity_key="severity",
    )
    return Section(
        "execution", SECTIONS["execution"], caption, figure=figure, table=table, notes=notes
    )


def _project_execution_section(conn, year, month, scope, all_flags) -> Section | str:
    """For a department's briefing: its projects instead of departments."""
    projects = db.run_query(conn, "project_execution", scope, year=year, month=month)
    if projects.empty:
        return "没有项目的执行数据"
    lights = flags.project_lights(all_flags, projects)
    light_codes = lights["light"]
    red = int((light_codes == "red").sum())
    yellow = int((light_codes == "yellow").sum())
    ranked = projects.dropna(subset=["execution_rate"]).sort_values(
        ["execution_rate", "project_code"], kind="stable"
    )
    caption = f"{len(projects)}个项目中，红灯{red}个、黄灯{yellow}个"
    if not ranked.empty:
        low = ranked.iloc[0]
        caption += f"；执行率最低的是{low['project_name']}（{fmt.pct(low['execution_rate'])}）"
    # the department chart draws one bar per row of `department`: feed it the projects
    names = projects["project_name"].astype(str)
    repeated = names.duplicated(keep=False)
    as_rows = projects.assign(
        department_code=projects["project_code"],
        department=[
            f"{n}（{c}）" if r else n
            for n, c, r in zip(names, projects["project_code"], repeated, strict=True)
        ],
    )
    as_lights = pd.DataFrame(
        {"level": "department", "key": lights["project_code"], "light": light_codes}
    )
    limit = SLIDE_DEPARTMENTS if len(projects) > SLIDE_DEPARTMENTS else None
    figure = charts.department_execution_bars(as_rows, as_lights, "zh", limit=limit, title="")
    notes = (
        [f"图中为执行率最低的{SLIDE_DEPARTMENTS}个项目，全部{len(projects)}个项目见 Excel 附表。"]
        if limit
        else []
    )
    notes.append(PROJECT_LIGHT_NOTE)
    table = Table(
        "项目执行",
        "各项目预算执行情况",
        projects.assign(severity=light_codes.to_numpy()),
        [
            Column("project_code", "项目编码"),
            Column("project_name", "项目名称", width=24),
            Column("adjusted_budget_yuan", "调整后预算数（万元）", "wan"),
            Column("spent_yuan", "累计支出（万元）", "wan"),
            Column("execution_rate", "执行率", "rate"),
            Column("time_progress", "序时进度", "rate"),
            Column("gap_pp", "进度差（百分点）", "pp"),
            Column("pace", "进度比", "number"),
        ],
        severity_key="severity",
    )
    return Section("execution", "各项目预算执行", caption, figure=figure, table=table, notes=notes)


def _warnings_section(all_flags: pd.DataFrame, month: int) -> Section | str:
    if all_flags.empty:
        return f"截至{month}月没有预警"
    performance = all_flags[all_flags["rule"].isin(flags.PERFORMANCE_RULES)]
    counts = flags.flag_counts(all_flags)
    quality, red, yellow, blue = counts.data_quality, counts.red, counts.yellow, counts.blue
    by_rule = performance[performance["severity"] == "red"]["rule_label"].value_counts()
    # the same count as the 总体情况 slide's 绩效预警 (red + yellow); blue notes named apart
    caption = f"绩效预警{counts.warnings}条：红色{red}条、黄色{yellow}条"
    if blue:
        caption += f"；另有蓝色提示{blue}条"
    if not by_rule.empty:
        caption += f"；红色预警最多的是「{by_rule.index[0]}」（{int(by_rule.iloc[0])}条）"
    note = "表中为最严重的几条（红色在前）"
    if quality:
        note += f"；另有数据质量提示{quality}条（未报送、未申报绩效目标等）"
    notes = [note + "；全部预警见 Excel 附表。"]
    table_rows = pd.concat([performance, all_flags[~all_flags.index.isin(performance.index)]])
    table_rows = table_rows.assign(
        severity_zh=[flags.SEVERITY_LABELS["zh"].get(s, s) for s in table_rows["severity"]],
        subject=[_subject(r) for r in table_rows.itertuples()],
    )
    table = Table(
        "预警",
        "预警清单",
        table_rows,
        [
            Column("severity_zh", "等级"),
            Column("subject", "项目", width=20),
            Column("department", "主管部门", width=17),
            Column("rule_label", "预警类型", width=13),
            Column("message", "预警说明", width=64),
            Column("project_code", "项目编码"),
            Column("value", "指标值", "number"),
            Column("threshold", "阈值", "number"),
            Column("as_of_month", "截至月份", "integer"),
        ],
        severity_key="severity",
        slide_columns=("severity_zh", "subject", "department", "rule_label", "message"),
        slide_rows=SLIDE_WARNINGS,
    )
    if performance.empty:
        caption = f"截至{month}月没有绩效预警，数据质量提示{quality}条"
    return Section(
        "warnings",
        SECTIONS["warnings"],
        caption,
        table=table,
        notes=notes,
        show_table_on_slide=True,
    )


def _subject(row) -> str:
    code, name = getattr(row, "project_code", None), getattr(row, "project_name", None)
    if isinstance(code, str) and code:
        return f"{name}" if isinstance(name, str) else code
    return "（部门整体）"


def _dual_section(conn, year, month, scope) -> Section | str:
    frame = db.run_query(conn, "project_dual_monitoring", scope, year=year, month=month)
    if frame.empty:
        return "没有同时具备支出进度和产出进度的项目（产出指标未填报）"
    counts = frame["quadrant"].value_counts()
    caption = f"{len(frame)}个项目中，" + "，".join(
        f"{QUADRANT_LABELS[q]}{int(counts.get(q, 0))}个"
        for q in ("on_track", "spending_ahead", "outputs_ahead", "both_behind")
    )
    figure = charts.dual_monitoring_chart(frame, "zh", size="slide", title="")
    cut = fmt.ratio(frame["pace_cutoff"].iloc[0])
    notes = [
        f"横轴为进度比（执行率÷序时进度），纵轴为产出进度，1.0为与序时同步；虚线为{cut}的黄灯线；"
        "圆点大小表示调整后预算。"
    ]
    table = Table(
        "双监控",
        "双监控：支出进度与产出进度",
        frame.assign(
            quadrant_zh=[QUADRANT_LABELS.get(q, q) for q in frame["quadrant"]],
            severity=frame["quadrant"].map(vocab.QUADRANT_SEVERITY),
        ),
        [
            Column("project_code", "项目编码"),
            Column("project_name", "项目名称", width=24),
            Column("department", "主管部门", width=18),
            Column("adjusted_budget_yuan", "调整后预算数（万元）", "wan"),
            Column("execution_rate", "执行率", "rate"),
            Column("pace", "进度比", "number"),
            Column("output_progress", "产出进度", "rate"),
            Column("difference", "差值", "number"),
            Column("quadrant_zh", "象限", width=16),
        ],
        severity_key="severity",
    )
    return Section(
        "dual_monitoring",
        SECTIONS["dual_monitoring"],
        caption,
        figure=figure,
        table=table,
        notes=notes,
    )


def _selfeval_section(conn, year, month, scope) -> Section | str:
    """Self-evaluation is a year-end exercise: the as-of year's when the briefing is at
    December, else the last year's (what a mid-year meeting looks back on)."""
    eval_year = year if month == 12 else year - 1
    if last_month(conn, eval_year) != 12:
        return f"{eval_year}年度尚无年末数据，无法评分"
    everything = db.run_query(conn, "project_selfeval", scope, year=eval_year)
    # only complete self-evaluations are graded (docs/figures.md#self-evaluation-status): the others are
    # counted in words, never as 差
    incomplete = int((everything["status"] == "incomplete").sum())
    missing = int((everything["status"] == "none").sum())
    unscored = "、".join(
        part
        for part in (
            f"{incomplete}个项目自评不完整（有指标缺年末完成值）" if incomplete else "",
            f"{missing}个项目无自评" if missing else "",
        )
        if part
    )
    frame = everything[
        (everything["status"] == "complete") & everything["grade"].notna()
    ].reset_index(drop=True)
    if frame.empty:
        return f"{eval_year}年度没有完整的自评数据" + (f"（{unscored}）" if unscored else "")
    counts = frame["grade"].value_counts()
    total = len(frame)
    parts = [f"{g}{int(counts.get(g, 0))}个" for g in vocab.GRADES]
    good = int(counts.get("优", 0))
    caption = (
        f"{eval_year}年度{total}个自评完整的项目复核评分："
        + "、".join(parts)
        + f"，优秀率{fmt.pct(good / total)}"
    )
    if unscored:
        caption += f"；另有{unscored}，不计分、不评级"
    over = int(frame["is_over_scored"].fillna(False).astype(bool).sum())
    if over:
        caption += f"；{over}个项目自评等级高于复核等级"
    figure = charts.selfeval_grade_bars(frame, "zh", title="")
    limit = thresholds.current(read_thresholds(conn))  # the points the scores were computed with
    notes = [
        f"复核评分按财政部《项目支出绩效评价管理办法》重算：预算执行率{limit.selfeval.weight_execution}分，"
        "产出、效益、满意度指标按分值"
        "与完成率计分；社会保险基金预算项目不在此列。有适用指标缺年末实际完成值的自评为不完整，"
        "既无自评表也无年末完成值的为无自评，两者都不计分、不评级，不列入本页。"
    ]
    table = Table(
        "绩效自评",
        f"{eval_year}年度绩效自评",
        frame.assign(
            severity=frame["grade"].map({"差": "red", "中": "yellow"}),
            over=["是" if bool(v) else "" for v in frame["is_over_scored"].fillna(False)],
        ),
        [
            Column("project_code", "项目编码"),
            Column("project_name", "项目名称", width=24),
            Column("department", "主管部门", width=18),
            Column("execution_rate", "执行率", "rate"),
            Column("total_score", "复核得分", "number"),
            Column("grade", "复核等级"),
            Column("claimed_total_score", "自评得分", "number"),
            Column("claimed_grade", "自评等级"),
            Column("score_difference", "自评与复核之差", "number"),
            Column("over", "自评偏高"),
        ],
        severity_key="severity",
    )
    return Section(
        "selfeval",
        f"{eval_year}年度{SECTIONS['selfeval']}",
        caption,
        figure=figure,
        table=table,
        notes=notes,
    )


def _pefa_section(conn, year, scope, department_code, lang: str = "zh") -> Section | str:
    """财政可靠性 (PEFA PI-1, PI-2) of the briefing's whole — the city over its districts, the
    district over its departments, a department over its budget units — over the last three
    completed years up to the year (queries/pefa_scores.sql, as the 财政可靠性 page): the
    whole's three years on the slide, every head one level down after them in the workbook."""
    if department_code is not None:
        whole_level, sub_level = "department", None
    else:
        several = db.run_query(conn, "pefa_scores", scope, level="district", year=year)
        several_districts = several["code"].nunique() > 1
        whole_level = "city" if several_districts else "district"
        sub_level = "district" if several_districts else "department"
    whole = db.run_query(conn, "pefa_scores", scope, level=whole_level, year=year)
    if department_code is not None:
        whole = whole[whole["code"] == department_code]
    if whole.empty:
        return t("brief_pefa_none", lang, year=year)
    whole = whole.reset_index(drop=True)
    years = [int(y) for y in whole["year"]]
    span = f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
    joint = "、" if lang == "zh" else ", "
    ratios = joint.join(fmt.pct(v) for v in whole["outturn_ratio"])
    variances = joint.join(fmt.pct(v) for v in whole["pi2_variance"])
    caption = t(
        "brief_pefa_caption",
        lang,
        span=span,
        pi1=whole["pi1_score"].iloc[0],
        pi2=whole["pi2_score"].iloc[0],
        ratios=ratios,
        variances=variances,
        sub=t(f"reliability_sub_{whole_level}", lang),
    )
    notes = [t("brief_pefa_note", lang)]
    if len(years) < 3:
        notes.insert(0, t("brief_pefa_few_years", lang, n=len(years)))
    frame = whole
    if sub_level is not None:
        heads = db.run_query(conn, "pefa_scores", scope, level=sub_level, year=year)
        frame = pd.concat([whole, heads], ignore_index=True)
        notes.append(t("brief_pefa_appendix", lang, sub=t(f"reliability_level_{sub_level}", lang)))
    table = Table(
        t("brief_pefa_sheet", lang),
        t("brief_pefa_table", lang, span=span),
        frame,
        [
            Column("name", t("col_pefa_head", lang), width=18),
            Column("year", t("col_pefa_year", lang), "integer"),
            Column("initial_budget_yuan", t("col_pefa_initial_wan", lang), "wan"),
            Column("outturn_yuan", t("col_pefa_outturn_wan", lang), "wan"),
            Column("outturn_ratio", t("col_pefa_ratio", lang), "rate"),
            Column("pi1_year_grade", t("col_pefa_pi1_year", lang)),
            Column("pi1_score", t("col_pefa_pi1", lang)),
            Column("pi2_variance", t("col_pefa_variance", lang), "rate"),
            Column("pi2_year_grade", t("col_pefa_pi2_year", lang)),
            Column("pi2_score", t("col_pefa_pi2", lang)),
        ],
        slide_columns=(
            "year",
            "initial_budget_yuan",
            "outturn_yuan",
            "outturn_ratio",
            "pi1_year_grade",
            "pi2_variance",
            "pi2_year_grade",
        ),
        slide_rows=len(whole),
    )
    return Section(
        "pefa",
        t("brief_section_title_pefa", lang),
        caption,
        table=table,
        notes=notes,
        show_table_on_slide=True,
    )


def _costs_section(conn, year, scope, all_flags) -> Section | str:
    costs = db.run_query(conn, "project_costs", scope, year=year)
    if costs.empty:
        return f"{year}年度没有成本数据"
    projects = costs.drop_duplicates("project_code")
    cost_flags = all_flags[all_flags["rule"] == "cost_above_reference"]
    red = int((cost_flags["severity"] == "red").sum())
    yellow = int((cost_flags["severity"] == "yellow").sum())
    caption = (
        f"有成本数据的项目{len(projects)}个，单位成本明显高于参考值的{red + yellow}个"
        f"（红色{red}个、黄色{yellow}个）"
    )
    figure = None
    notes = [
        "参考值为该一类事的成本定额标准；无标准时为同类项目（同年度、同一类事、同产出单位）单位成本的中位数。"
    ]
    if not cost_flags.empty:
        top = cost_flags.sort_values(
            ["value", "project_code"], ascending=[False, True], kind="stable"
        ).iloc[0]
        caption += f"；偏离最大的是{top['project_name']}，高出{fmt.pct(top['value'])}"
        figure = charts.cost_deviation_bars(cost_flags, "zh", title="", limit=SLIDE_COSTS)
        if len(cost_flags) > SLIDE_COSTS:
            notes.append(f"图中为偏离最大的{SLIDE_COSTS}个项目，全部见 Excel 附表。")
    flagged = cost_flags.set_index("project_code")
    table_frame = projects.assign(
        severity=[
            flagged["severity"].get(c) if c in flagged.index else None
            for c in projects["project_code"]
        ],
        deviation=[
            flagged["value"].get(c) if c in flagged.index else None
            for c in projects["project_code"]
        ],
    )
    table = Table(
        "成本",
        f"{year}年度项目成本与单位成本",
        table_frame,
        [
            Column("project_code", "项目编码"),
            Column("project_name", "项目名称", width=24),
            Column("department", "主管部门", width=18),
            Column("service_class", "一类事", width=16),
            Column("total_cost_yuan", "总成本（万元）", "wan"),
            Column("output_quantity", "产出数量", "number"),
            Column("output_unit", "产出单位"),
            Column("unit_cost_yuan", "单位成本（元）", "number"),
            Column("standard_unit_cost_yuan", "成本定额标准（元）", "number"),
            Column("peer_median_unit_cost_yuan", "同类中位数（元）", "number"),
            Column("deviation", "高于参考值", "rate"),
        ],
        severity_key="severity",
        slide_columns=(
            "project_name",
            "service_class",
            "unit_cost_yuan",
            "standard_unit_cost_yuan",
            "peer_median_unit_cost_yuan",
        ),
    )
    return Section(
        "costs",
        SECTIONS["costs"],
        caption,
        figure=figure,
        table=table,
        notes=notes,
        show_table_on_slide=figure is None,
    )


def _cost_classes_section(conn, year, scope, department_code) -> Section | str:
    """The 成本分析 page's figures on one slide: the chosen class set (the classes with a
    成本定额标准 or a suggested standard, most projects first, up to SLIDE_COST_CLASSES) as
    a table of the class figures (queries/cost_class_summary.sql, over every project), and
    the strip chart of the largest of them with the projects in scope (a department's own
    projects against the whole class, as the page shows them)."""
    classes = db.run_query(conn, "cost_class_summary", None, year=year)
    if classes.empty:
        return f"{year}年度没有成本数据"
    eligible = classes[
        classes["standard_unit_cost_yuan"].notna() | classes["suggested_standard_yuan"].notna()
    ]
    chosen = (
        eligible.sort_values(
            ["project_count", "service_class", "output_unit"],
            ascending=[False, True, True],
            kind="stable",
        )
        .head(SLIDE_COST_CLASSES)
        .reset_index(drop=True)
    )
    if chosen.empty:
        return f"{year}年度没有设有成本定额标准或可测算建议标准（同类不少于5个）的一类事"
    largest = chosen.iloc[0]
    service_class, unit = str(largest["service_class"]), str(largest["output_unit"])
    caption = (
        f"有成本定额标准或建议标准的一类事{len(eligible)}个；项目最多的{service_class}"
        f"（{int(largest['project_count'])}个项目）单位成本中位数"
        f"{fmt.number(largest['median_unit_cost_yuan'])}元/{unit}"
    )
    if int(largest["above_reference_count"] or 0):
        caption += f"，{int(largest['above_reference_count'])}个项目高于参考值"
    projects = db.run_query(
        conn,
        "project_cost_benchmark",
        scope,
        year=year,
        service_class=service_class,
        output_unit=unit,
    )
    peers = projects[projects["excluded_reason"].isna()]
    figure = None
    notes = [
        "单位成本单位为元；中位数、P25–P75、建议标准（平均先进值，同类不少于5个项目时测算）"
        "和高于参考值的项目数按全区同类项目计算；参考值为成本定额标准，无标准时为同类中位数。"
    ]
    if peers.empty:
        notes.append(f"{service_class}（{unit}）没有本范围内可比较的项目，不绘图。")
    else:
        figure = charts.cost_strip_chart(peers, largest, "zh", title="")
        whose = "本部门" if department_code is not None else "各"
        notes.append(
            f"图为{service_class}（元/{unit}）{whose}项目的单位成本，底色带为全区同类P25–P75，"
            "实线为中位数，虚线为成本定额标准和建议标准，红叉为异常值。"
        )
    frame = chosen.assign(
        middle_half=[
            f"{fmt.number(a)}–{fmt.number(b)}"
            for a, b in zip(chosen["p25_unit_cost_yuan"], chosen["p75_unit_cost_yuan"], strict=True)
        ]
    )
    table = Table(
        "成本分析",
        f"{year}年度一类事单位成本（元）",
        frame,
        [
            Column("service_class", "一类事", width=16),
            Column("output_unit", "产出单位", width=10),
            Column("project_count", "项目数", "integer"),
            Column("median_unit_cost_yuan", "中位数（元）", "number"),
            Column("middle_half", "P25–P75（元）", width=14),
            Column("standard_unit_cost_yuan", "成本定额标准（元）", "number"),
            Column("suggested_standard_yuan", "建议标准（元）", "number"),
            Column("above_reference_count", "高于参考值项目数", "integer"),
        ],
        slide_rows=SLIDE_COST_CLASSES,
    )
    return Section(
        "cost_classes",
        SECTIONS["cost_classes"],
        caption,
        figure=figure,
        table=table,
        notes=notes,
        show_table_on_slide=True,
        figure_below_table=figure is not None,
    )


def section_keys(names: Sequence[str] | None) -> list[str]:
    """Section keys from a comma list or names (CLI); None = all."""
    if not names:
        return list(SECTIONS)
    return [n.strip() for n in names if n.strip()]


# --- the tables as a workbook -----------------------------------------------------------


def briefing_xlsx(briefing: Briefing) -> bytes:
    """Every table of the briefing as a formatted workbook: a 说明 sheet (scope, date, marking,
    what was left out), then one sheet per table with a title line carrying the marking."""
    # openpyxl (export.xlsx) loads only when a workbook is made
    from perfbudget.export.xlsx import Sheet, sheets_to_xlsx

    cover = [
        f"【{briefing.marking}】{briefing.title}（附表）",
        briefing.as_of,
        f"范围：{briefing.scope_label}",
        f"来源：{briefing.source.removeprefix('来源：')}",
        f"生成日期：{briefing.generated.isoformat()}",
        (
            "公开版：不含涉密（敏感）项目和涉密部门的数据。"
            if briefing.public
            else "内部版：含全部项目（包括涉密项目），仅限内部使用，不得对外公开。"
        ),
        "金额单位：万元；比率以百分数显示。",
        *briefing.omitted_lines(),
    ]
    sheets = [
        Sheet(
            table.sheet,
            table.frame,
            table.columns,
            severity_key=table.severity_key,
            title=f"【{briefing.marking}】{table.title}　{briefing.as_of}　{briefing.scope_label}",
        )
        for table in briefing.tables
    ]
    return sheets_to_xlsx(sheets, cover=cover, marking=briefing.marking)
