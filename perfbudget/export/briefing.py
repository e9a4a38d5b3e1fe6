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
from types import SimpleNamespace

import duckdb
import pandas as pd
import plotly.graph_objects as go

from perfbudget import charts, db, flags, thresholds, vocab
from perfbudget import formatting as fmt
from perfbudget.export import MARKINGS_EN, file_stem, marking
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
# the languages a briefing is made in: every title, caption, note, header and chart label of
# the deck and its workbook in that language (perfbudget.i18n bf_*, brief_*)
LANGS = ("zh", "en")


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
    # a table of warning_flags rows worded only as far as the slide shows them: the language
    # the rest are worded in when a file is written (written_frame); None: rows as they are
    word_flags: str | None = None


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
    lang: str = "zh"

    @property
    def marking(self) -> str:
        mark = marking(self.public)
        return mark if self.lang == "zh" else MARKINGS_EN[mark]

    @property
    def title(self) -> str:
        return t("bf_title", self.lang, scope=self.scope_label)

    @property
    def as_of(self) -> str:
        return t("bf_as_of", self.lang, year=self.year, month=self.month)

    @property
    def tables(self) -> list[Table]:
        return [s.table for s in self.sections if s.table is not None]

    def file_name(self, suffix: str) -> str:
        """预算绩效简报_示例区_2025年07月_内部.pptx (briefing_…_2025-07_Internal.pptx)"""
        return t(
            "bf_file",
            self.lang,
            stem=file_stem(self.scope_label, 30),
            year=self.year,
            month=self.month,
            marking=self.marking,
            suffix=suffix.lstrip("."),
        )

    def omitted_lines(self) -> list[str]:
        return [t("bf_omitted", self.lang, title=title, why=why) for title, why in self.omitted]


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
    lang: str = "zh",
) -> Briefing:
    """The briefing of a district (department_code None) or one department at a year-month.
    base_scope is what the user may see (default everything); a public briefing drops the
    sensitive projects from it whatever it says. lang: "zh" or "en", the deck's language."""
    if lang not in LANGS:
        raise BriefingError(f"未知的语言 / unknown language: {lang}")
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
        scope_label = names[0] if len(names) == 1 else t("bf_scope_city", lang)
        subject = t("bf_subject_district" if len(names) <= 1 else "bf_subject_city", lang)
    else:
        departments = db.run_query(conn, "department_list", scope, year=year)
        scope_label = (
            str(departments["department"].iloc[0]) if not departments.empty else department_code
        )
        subject = scope_label

    meta = dict(db.run_live(conn, "database_meta").itertuples(index=False))
    synthetic = meta.get("is_synthetic") == "true"
    # unworded: the warnings slide words its rows, the workbook the rest when it is written
    # (Table.word_flags): a city has 50,000 flags, and wording them all took most of a
    # city briefing's time and memory
    all_flags = flags.warning_flags(conn, year, month, scope, messages=False)

    built: list[Section] = []
    omitted: list[tuple[str, str]] = []
    builders = {
        "kpi": lambda: _kpi_section(conn, year, month, scope, kpi, subject, all_flags, lang),
        "execution": lambda: _execution_section(
            conn, year, month, scope, department_code, all_flags, lang
        ),
        "warnings": lambda: _warnings_section(all_flags, month, lang),
        "dual_monitoring": lambda: _dual_section(conn, year, month, scope, lang),
        "selfeval": lambda: _selfeval_section(conn, year, month, scope, lang),
        "pefa": lambda: _pefa_section(conn, year, scope, department_code, lang),
        "costs": lambda: _costs_section(conn, year, scope, all_flags, lang),
        "cost_classes": lambda: _cost_classes_section(conn, year, scope, department_code, lang),
    }
    for key in chosen:
        result = builders[key]()
        if isinstance(result, str):
            omitted.append((t(f"bf_section_{key}", lang), result))
        else:
            built.append(result)
    return Briefing(
        year=year,
        month=month,
        scope_label=scope_label,
        subject=subject,
        public=public,
        source=t("bf_source", lang) + (t("bf_synthetic", lang) if synthetic else ""),
        generated=today or date.today(),
        sections=built,
        omitted=omitted,
        is_synthetic=synthetic,
        lang=lang,
    )


def _behind_phrase(gap_pp: object, lang: str = "zh") -> str:
    """'低于序时进度19.5个百分点' / '高于…' / '与序时进度持平' from a gap in pp."""
    gap = fmt.to_decimal(gap_pp)
    if gap is None:
        return t("bf_not_comparable", lang)
    shown = fmt.half_up(abs(gap), 1)
    if shown == 0:
        return t("bf_on_time", lang)
    return t("bf_behind" if gap < 0 else "bf_ahead", lang, pp=shown)


def _kpi_section(conn, year, month, scope, kpi, subject, all_flags, lang="zh") -> Section:
    counts = flags.flag_counts(all_flags)
    red, yellow = counts.red, counts.yellow
    caption = t(
        "bf_kpi_caption",
        lang,
        subject=subject,
        rate=fmt.pct(kpi["execution_rate"]),
        behind=_behind_phrase(kpi["gap_pp"], lang),
    )
    if red or yellow:
        caption += t("bf_kpi_caption_flags", lang, red=red, yellow=yellow)
    kpis = [
        Kpi(
            t("bf_kpi_budget", lang),
            fmt.money(kpi["adjusted_budget_yuan"], lang=lang),
            t(
                "bf_kpi_budget_note",
                lang,
                departments=int(kpi["department_count"]),
                projects=int(kpi["project_count"]),
            ),
        ),
        Kpi(
            t("bf_kpi_spent", lang),
            fmt.money(kpi["spent_yuan"], lang=lang),
            t("bf_kpi_spent_note", lang, n=int(kpi["reported_project_count"]), month=month),
        ),
        Kpi(
            t("bf_kpi_rate", lang),
            fmt.pct(kpi["execution_rate"]),
            t("bf_kpi_rate_note", lang, pace=fmt.ratio(kpi["pace"])),
            light=kpi["pace_light"],
        ),
        Kpi(
            t("bf_kpi_time", lang),
            fmt.pct(kpi["time_progress"]),
            t("bf_kpi_time_note", lang, gap=fmt.pp(kpi["gap_pp"])),
            light=kpi["pace_light"],
        ),
        Kpi(
            t("bf_kpi_indicators", lang),
            fmt.pct(kpi["indicator_on_track_rate"]),
            t(
                "bf_kpi_indicators_note",
                lang,
                on=int(kpi["indicator_on_track_count"] or 0),
                reported=int(kpi["indicator_reported_count"] or 0),
            ),
        ),
        Kpi(
            t("bf_kpi_warnings", lang),
            t("bf_kpi_warnings_value", lang, n=red + yellow),
            t("bf_kpi_warnings_note", lang, red=red, yellow=yellow),
            light=counts.light,
        ),
    ]
    trend = db.run_query(
        conn, "execution_trend", scope, year=year, month=month, department_code=None
    )
    figure = None
    if not trend.empty and trend["spent_yuan"].notna().any():
        figure = charts.execution_trend_chart(trend, lang, title="")
    frame = pd.DataFrame(
        {
            "item": [k.label for k in kpis] + [t("bf_kpi_pace", lang)],
            "value": [k.value for k in kpis] + [fmt.ratio(kpi["pace"])],
            "note": [k.note for k in kpis] + [""],
        }
    )
    table = Table(
        t("bf_kpi_sheet", lang),
        t("bf_kpi_sheet", lang),
        frame,
        [
            Column("item", t("bf_col_item", lang), width=18),
            Column("value", t("bf_col_value", lang), width=20),
            Column("note", t("bf_col_note", lang), width=36),
        ],
    )
    return Section("kpi", t("bf_section_kpi", lang), caption, figure=figure, table=table, kpis=kpis)


# how the slides' lights are defined (flags.project_lights, flags.scope_lights): the notes
# bf_project_light_note and bf_department_light_note of perfbudget.i18n


def _execution_columns(lang: str, *, projects: bool) -> list[Column]:
    """The execution table's columns: per department, or (a department's briefing) per project."""
    head = (
        [
            Column("project_code", t("bf_col_project_code", lang)),
            Column("project_name", t("bf_col_project", lang), width=24),
        ]
        if projects
        else [
            Column("department_code", t("bf_col_department_code", lang)),
            Column("department", t("bf_col_department", lang), width=22),
            Column("project_count", t("bf_col_project_count", lang), "integer"),
        ]
    )
    return [
        *head,
        Column("adjusted_budget_yuan", t("bf_col_adjusted_wan", lang), "wan"),
        Column("spent_yuan", t("bf_col_spent_wan", lang), "wan"),
        Column("execution_rate", t("bf_col_rate", lang), "rate"),
        Column("time_progress", t("bf_col_time", lang), "rate"),
        Column("gap_pp", t("bf_col_gap", lang), "pp"),
        Column("pace", t("bf_col_pace", lang), "number"),
    ]


def _execution_section(
    conn, year, month, scope, department_code, all_flags, lang="zh"
) -> Section | str:
    if department_code is not None:
        return _project_execution_section(conn, year, month, scope, all_flags, lang)
    departments = db.run_query(conn, "department_execution", scope, year=year, month=month)
    if departments.empty:
        return t("bf_no_departments", lang)
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
    caption = t(
        "bf_execution_caption",
        lang,
        n=len(departments),
        red=red,
        yellow=yellow,
        red_projects=red_projects,
    )
    if not ranked.empty:
        low = ranked.iloc[0]
        caption += t("bf_lowest", lang, name=low["department"], rate=fmt.pct(low["execution_rate"]))
    limit = SLIDE_DEPARTMENTS if len(departments) > SLIDE_DEPARTMENTS else None
    figure = charts.department_execution_bars(departments, lights, lang, limit=limit, title="")
    notes = (
        [t("bf_lowest_departments", lang, k=SLIDE_DEPARTMENTS, n=len(departments))] if limit else []
    )
    notes.append(t("bf_department_light_note", lang) + t("bf_project_light_note", lang))
    table = Table(
        t("bf_execution_sheet", lang),
        t("bf_execution_table", lang),
        departments.assign(severity=light_codes.to_numpy()),
        _execution_columns(lang, projects=False),
        severity_key="severity",
    )
    return Section(
        "execution",
        t("bf_section_execution", lang),
        caption,
        figure=figure,
        table=table,
        notes=notes,
    )


def _project_execution_section(conn, year, month, scope, all_flags, lang="zh") -> Section | str:
    """For a department's briefing: its projects instead of departments."""
    projects = db.run_query(conn, "project_execution", scope, year=year, month=month)
    if projects.empty:
        return t("bf_no_projects", lang)
    lights = flags.project_lights(all_flags, projects)
    light_codes = lights["light"]
    red = int((light_codes == "red").sum())
    yellow = int((light_codes == "yellow").sum())
    ranked = projects.dropna(subset=["execution_rate"]).sort_values(
        ["execution_rate", "project_code"], kind="stable"
    )
    caption = t("bf_projects_caption", lang, n=len(projects), red=red, yellow=yellow)
    if not ranked.empty:
        low = ranked.iloc[0]
        caption += t(
            "bf_lowest", lang, name=low["project_name"], rate=fmt.pct(low["execution_rate"])
        )
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
    figure = charts.department_execution_bars(as_rows, as_lights, lang, limit=limit, title="")
    notes = [t("bf_lowest_projects", lang, k=SLIDE_DEPARTMENTS, n=len(projects))] if limit else []
    notes.append(t("bf_project_light_note", lang))
    table = Table(
        t("bf_projects_sheet", lang),
        t("bf_projects_table", lang),
        projects.assign(severity=light_codes.to_numpy()),
        _execution_columns(lang, projects=True),
        severity_key="severity",
    )
    return Section(
        "execution",
        t("bf_section_projects", lang),
        caption,
        figure=figure,
        table=table,
        notes=notes,
    )


def _warnings_section(all_flags: pd.DataFrame, month: int, lang: str = "zh") -> Section | str:
    if all_flags.empty:
        return t("bf_no_warnings", lang, month=month)
    if lang != "zh":  # the rule's name in the deck's language (the sentence: _in_language)
        all_flags = all_flags.assign(
            rule_label=[flags.RULES_BY_ID[r].label_en for r in all_flags["rule"]]
        )
    performance = all_flags[all_flags["rule"].isin(flags.PERFORMANCE_RULES)]
    counts = flags.flag_counts(all_flags)
    quality, red, yellow, blue = counts.data_quality, counts.red, counts.yellow, counts.blue
    by_rule = performance[performance["severity"] == "red"]["rule_label"].value_counts()
    # the same count as the 总体情况 slide's 绩效预警 (red + yellow); blue notes named apart
    caption = t("bf_warnings_caption", lang, n=counts.warnings, red=red, yellow=yellow)
    if blue:
        caption += t("bf_warnings_blue", lang, n=blue)
    if not by_rule.empty:
        caption += t("bf_warnings_most", lang, rule=by_rule.index[0], n=int(by_rule.iloc[0]))
    note = t("bf_warnings_note", lang)
    if quality:
        note += t("bf_warnings_quality", lang, n=quality)
    notes = [note + t("bf_warnings_all", lang)]
    table_rows = pd.concat([performance, all_flags[~all_flags.index.isin(performance.index)]])
    table_rows = table_rows.assign(
        severity_zh=[flags.SEVERITY_LABELS[lang].get(s, s) for s in table_rows["severity"]],
        subject=_subjects(table_rows, lang),
    )
    # the rows the slide can show, worded now; the rest when the workbook is written
    head = _in_language(flags.with_messages(table_rows.head(SLIDE_WARNINGS)), lang)
    table_rows = pd.concat([head, table_rows.iloc[len(head) :]])
    table = Table(
        t("bf_warnings_sheet", lang),
        t("bf_warnings_table", lang),
        table_rows,
        [
            Column("severity_zh", t("bf_col_severity", lang)),
            Column("subject", t("bf_col_subject", lang), width=20),
            Column("department", t("bf_col_department", lang), width=17),
            Column("rule_label", t("bf_col_rule", lang), width=13),
            Column("message", t("bf_col_message", lang), width=64),
            Column("project_code", t("bf_col_project_code", lang)),
            Column("value", t("bf_col_flag_value", lang), "number"),
            Column("threshold", t("bf_col_threshold", lang), "number"),
            Column("as_of_month", t("bf_col_as_of_month", lang), "integer"),
        ],
        severity_key="severity",
        slide_columns=("severity_zh", "subject", "department", "rule_label", "message"),
        slide_rows=SLIDE_WARNINGS,
        word_flags=lang,
    )
    if performance.empty:
        caption = t("bf_warnings_none", lang, month=month, n=quality)
    return Section(
        "warnings",
        t("bf_section_warnings", lang),
        caption,
        table=table,
        notes=notes,
        show_table_on_slide=True,
    )


def _in_language(worded: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Worded flags with `message` in the deck's language."""
    return worded if lang == "zh" else worded.assign(message=worded["message_en"])


def written_frame(table: Table) -> pd.DataFrame:
    """The rows a file gets of a table: a table of flags (word_flags set) worded now, in its
    language, the rows the model left unworded too."""
    if table.word_flags is None:
        return table.frame
    return _in_language(flags.with_messages(table.frame), table.word_flags)


def _subjects(rows: pd.DataFrame, lang: str) -> list[str]:
    """_subject of every row, by column: a city's 50,000 flags have 56 columns each, and
    itertuples built a tuple of all of them per row."""
    return [
        _subject(SimpleNamespace(project_code=code, project_name=name), lang)
        for code, name in zip(rows["project_code"], rows["project_name"], strict=True)
    ]


def _subject(row, lang: str = "zh") -> str:
    code, name = getattr(row, "project_code", None), getattr(row, "project_name", None)
    if isinstance(code, str) and code:
        return f"{name}" if isinstance(name, str) else code
    return t("bf_whole_department", lang)


def _dual_section(conn, year, month, scope, lang: str = "zh") -> Section | str:
    frame = db.run_query(conn, "project_dual_monitoring", scope, year=year, month=month)
    if frame.empty:
        return t("bf_no_dual", lang)
    counts = frame["quadrant"].value_counts()
    labels = {q: t(vocab.quadrant_key(q), lang) for q in vocab.QUADRANTS}
    caption = t("bf_dual_caption", lang, n=len(frame)) + ("，" if lang == "zh" else ", ").join(
        t("bf_dual_part", lang, label=labels[q], n=int(counts.get(q, 0)))
        for q in ("on_track", "spending_ahead", "outputs_ahead", "both_behind")
    )
    drawn = charts.largest_budgets(frame)
    figure = charts.dual_monitoring_chart(drawn, lang, size="slide", title="")
    cut = fmt.ratio(frame["pace_cutoff"].iloc[0])
    notes = [t("bf_dual_note", lang, cut=cut)]
    if len(drawn) < len(frame):
        notes.append(t("bf_dual_largest", lang, k=len(drawn), n=len(frame)))
    table = Table(
        t("bf_dual_sheet", lang),
        t("bf_section_dual_monitoring", lang),
        frame.assign(
            quadrant_zh=[labels.get(q, q) for q in frame["quadrant"]],
            severity=frame["quadrant"].map(vocab.QUADRANT_SEVERITY),
        ),
        [
            Column("project_code", t("bf_col_project_code", lang)),
            Column("project_name", t("bf_col_project", lang), width=24),
            Column("department", t("bf_col_department", lang), width=18),
            Column("adjusted_budget_yuan", t("bf_col_adjusted_wan", lang), "wan"),
            Column("execution_rate", t("bf_col_rate", lang), "rate"),
            Column("pace", t("bf_col_pace", lang), "number"),
            Column("output_progress", t("bf_col_output_progress", lang), "rate"),
            Column("difference", t("bf_col_difference", lang), "number"),
            Column("quadrant_zh", t("bf_col_quadrant", lang), width=16),
        ],
        severity_key="severity",
    )
    return Section(
        "dual_monitoring",
        t("bf_section_dual_monitoring", lang),
        caption,
        figure=figure,
        table=table,
        notes=notes,
    )


def _selfeval_section(conn, year, month, scope, lang: str = "zh") -> Section | str:
    """Self-evaluation is a year-end exercise: the as-of year's when the briefing is at
    December, else the last year's (what a mid-year meeting looks back on)."""
    eval_year = year if month == 12 else year - 1
    if last_month(conn, eval_year) != 12:
        return t("bf_no_year_end", lang, year=eval_year)
    everything = db.run_query(conn, "project_selfeval", scope, year=eval_year)
    # only complete self-evaluations are graded (docs/figures.md#self-evaluation-status): the others are
    # counted in words, never as 差
    incomplete = int((everything["status"] == "incomplete").sum())
    missing = int((everything["status"] == "none").sum())
    unscored = t("bf_list_joint", lang).join(
        part
        for part in (
            t("bf_selfeval_incomplete", lang, n=incomplete) if incomplete else "",
            t("bf_selfeval_missing", lang, n=missing) if missing else "",
        )
        if part
    )
    frame = everything[
        (everything["status"] == "complete") & everything["grade"].notna()
    ].reset_index(drop=True)
    if frame.empty:
        why = t("bf_selfeval_none", lang, year=eval_year)
        return why + ((f"（{unscored}）" if lang == "zh" else f" ({unscored})") if unscored else "")
    counts = frame["grade"].value_counts()
    total = len(frame)
    parts = [
        t("bf_selfeval_part", lang, grade=t(vocab.grade_key(g), lang), n=int(counts.get(g, 0)))
        for g in vocab.GRADES
    ]
    good = int(counts.get("优", 0))
    caption = (
        t("bf_selfeval_caption", lang, year=eval_year, total=total)
        + t("bf_list_joint", lang).join(parts)
        + t("bf_selfeval_excellent", lang, rate=fmt.pct(good / total))
    )
    if unscored:
        caption += t("bf_selfeval_unscored", lang, unscored=unscored)
    over = int(frame["is_over_scored"].fillna(False).astype(bool).sum())
    if over:
        caption += t("bf_selfeval_over", lang, n=over)
    figure = charts.selfeval_grade_bars(frame, lang, title="")
    limit = thresholds.current(read_thresholds(conn))  # the points the scores were computed with
    notes = [t("bf_selfeval_note", lang, points=limit.selfeval.weight_execution)]
    yes = t("bf_yes", lang)
    table = Table(
        t("bf_selfeval_sheet", lang),
        t("bf_selfeval_table", lang, year=eval_year),
        frame.assign(
            severity=frame["grade"].map({"差": "red", "中": "yellow"}),
            over=[yes if bool(v) else "" for v in frame["is_over_scored"].fillna(False)],
        ),
        [
            Column("project_code", t("bf_col_project_code", lang)),
            Column("project_name", t("bf_col_project", lang), width=24),
            Column("department", t("bf_col_department", lang), width=18),
            Column("execution_rate", t("bf_col_rate", lang), "rate"),
            Column("total_score", t("bf_col_total_score", lang), "number"),
            Column("grade", t("bf_col_grade", lang)),
            Column("claimed_total_score", t("bf_col_claimed_score", lang), "number"),
            Column("claimed_grade", t("bf_col_claimed_grade", lang)),
            Column("score_difference", t("bf_col_score_difference", lang), "number"),
            Column("over", t("bf_col_over", lang)),
        ],
        severity_key="severity",
    )
    return Section(
        "selfeval",
        t("bf_selfeval_title", lang, year=eval_year),
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
        t("bf_section_pefa", lang),
        caption,
        table=table,
        notes=notes,
        show_table_on_slide=True,
    )


def _costs_section(conn, year, scope, all_flags, lang: str = "zh") -> Section | str:
    costs = db.run_query(conn, "project_costs", scope, year=year)
    if costs.empty:
        return t("bf_no_costs", lang, year=year)
    projects = costs.drop_duplicates("project_code")
    cost_flags = all_flags[all_flags["rule"] == "cost_above_reference"]
    red = int((cost_flags["severity"] == "red").sum())
    yellow = int((cost_flags["severity"] == "yellow").sum())
    caption = t("bf_costs_caption", lang, n=len(projects), k=red + yellow, red=red, yellow=yellow)
    figure = None
    notes = [t("bf_costs_reference", lang)]
    if not cost_flags.empty:
        top = cost_flags.sort_values(
            ["value", "project_code"], ascending=[False, True], kind="stable"
        ).iloc[0]
        caption += t("bf_costs_top", lang, name=top["project_name"], pct=fmt.pct(top["value"]))
        figure = charts.cost_deviation_bars(cost_flags, lang, title="", limit=SLIDE_COSTS)
        if len(cost_flags) > SLIDE_COSTS:
            notes.append(t("bf_costs_chart_note", lang, k=SLIDE_COSTS))
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
        t("bf_costs_sheet", lang),
        t("bf_costs_table", lang, year=year),
        table_frame,
        [
            Column("project_code", t("bf_col_project_code", lang)),
            Column("project_name", t("bf_col_project", lang), width=24),
            Column("department", t("bf_col_department", lang), width=18),
            Column("service_class", t("bf_col_service_class", lang), width=16),
            Column("total_cost_yuan", t("bf_col_total_cost_wan", lang), "wan"),
            Column("output_quantity", t("bf_col_output_quantity", lang), "number"),
            Column("output_unit", t("bf_col_output_unit", lang)),
            Column("unit_cost_yuan", t("bf_col_unit_cost", lang), "number"),
            Column("standard_unit_cost_yuan", t("bf_col_standard", lang), "number"),
            Column("peer_median_unit_cost_yuan", t("bf_col_peer_median", lang), "number"),
            Column("deviation", t("bf_col_above_reference", lang), "rate"),
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
        t("bf_section_costs", lang),
        caption,
        figure=figure,
        table=table,
        notes=notes,
        show_table_on_slide=figure is None,
    )


def _cost_classes_section(conn, year, scope, department_code, lang: str = "zh") -> Section | str:
    """The 成本分析 page's figures on one slide: the chosen class set (the classes with a
    成本定额标准 or a suggested standard, most projects first, up to SLIDE_COST_CLASSES) as
    a table of the class figures (queries/cost_class_summary.sql, over every project), and
    the strip chart of the largest of them with the projects in scope (a department's own
    projects against the whole class, as the page shows them)."""
    classes = db.run_query(conn, "cost_class_summary", None, year=year)
    if classes.empty:
        return t("bf_no_costs", lang, year=year)
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
        return t("bf_no_standard_class", lang, year=year)
    largest = chosen.iloc[0]
    service_class, unit = str(largest["service_class"]), str(largest["output_unit"])
    caption = t(
        "bf_classes_caption",
        lang,
        n=len(eligible),
        service_class=service_class,
        k=int(largest["project_count"]),
        median=fmt.number(largest["median_unit_cost_yuan"]),
        unit=unit,
    )
    if int(largest["above_reference_count"] or 0):
        caption += t("bf_classes_above", lang, n=int(largest["above_reference_count"]))
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
    notes = [t("bf_classes_note", lang)]
    if peers.empty:
        notes.append(t("bf_classes_no_peers", lang, service_class=service_class, unit=unit))
    else:
        figure = charts.cost_strip_chart(peers, largest, lang, title="")
        whose = t(
            "bf_classes_whose_department"
            if department_code is not None
            else "bf_classes_whose_all",
            lang,
        )
        notes.append(
            t("bf_classes_chart_note", lang, service_class=service_class, unit=unit, whose=whose)
        )
    frame = chosen.assign(
        middle_half=[
            f"{fmt.number(a)}–{fmt.number(b)}"
            for a, b in zip(chosen["p25_unit_cost_yuan"], chosen["p75_unit_cost_yuan"], strict=True)
        ]
    )
    table = Table(
        t("bf_classes_sheet", lang),
        t("bf_classes_table", lang, year=year),
        frame,
        [
            Column("service_class", t("bf_col_service_class", lang), width=16),
            Column("output_unit", t("bf_col_output_unit", lang), width=10),
            Column("project_count", t("bf_col_project_count", lang), "integer"),
            Column("median_unit_cost_yuan", t("bf_col_median", lang), "number"),
            Column("middle_half", t("bf_col_middle_half", lang), width=14),
            Column("standard_unit_cost_yuan", t("bf_col_standard", lang), "number"),
            Column("suggested_standard_yuan", t("bf_col_suggested", lang), "number"),
            Column("above_reference_count", t("bf_col_above_count", lang), "integer"),
        ],
        slide_rows=SLIDE_COST_CLASSES,
    )
    return Section(
        "cost_classes",
        t("bf_section_cost_classes", lang),
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

    lang = briefing.lang
    source = briefing.source.removeprefix("来源：").removeprefix("Source: ")
    cover = [
        t("bf_xlsx_title", lang, marking=briefing.marking, title=briefing.title),
        briefing.as_of,
        t("bf_xlsx_scope", lang, scope=briefing.scope_label),
        t("bf_xlsx_source", lang, source=source),
        t("bf_xlsx_generated", lang, date=briefing.generated.isoformat()),
        t("bf_public_line" if briefing.public else "bf_internal_line", lang),
        t("bf_xlsx_units", lang),
        *briefing.omitted_lines(),
    ]
    sheets = [
        Sheet(
            table.sheet,
            written_frame(table),
            table.columns,
            severity_key=table.severity_key,
            title=t(
                "bf_xlsx_sheet_title",
                lang,
                marking=briefing.marking,
                title=table.title,
                as_of=briefing.as_of,
                scope=briefing.scope_label,
            ),
        )
        for table in briefing.tables
    ]
    return sheets_to_xlsx(
        sheets, cover=cover, cover_name=t("bf_xlsx_cover", lang), marking=briefing.marking
    )
