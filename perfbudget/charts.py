"""DataFrame → plotly figure builders: one look for the screen and for exported images.

Every figure sets its template explicitly (importing streamlit changes plotly's default), a
font family list that has Chinese glyphs, its title and axis labels in the chosen language,
percent axes for rates, and the 序时进度 (time progress) as a line or marker. The figures
take the DataFrames that perfbudget.data returns; they decide nothing about the numbers —
lights come from the queries, labels from perfbudget.i18n, rounding from
perfbudget.formatting."""

from __future__ import annotations

import html
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from perfbudget import formatting as fmt
from perfbudget import palette, thresholds, vocab
from perfbudget.i18n import t

TEMPLATE = "plotly_white"
FONT_FAMILY = (
    "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, "
    "Hiragino Sans GB, WenQuanYi Micro Hei, sans-serif"
)
# Colours and orders come from perfbudget.palette and perfbudget.vocab; these names stay for
# the modules that import them from here.
LIGHT_COLOURS = palette.LIGHT
LIGHT_ORDER = vocab.LIGHTS
RATE_COLOUR = palette.RATE
TIME_PROGRESS_COLOUR = palette.TIME_PROGRESS
TEXT_COLOUR = palette.TEXT
GRID_COLOUR = palette.GRID


def plain(value: object) -> object:
    """A value from data (a project, department or unit name) as a label that plotly draws as
    the text it is: plotly reads <b>, <a href=…>, <br> and entities in every text, hover,
    legend, tick label and title — on screen and in the exported images. Missing stays
    missing."""
    if value is None or (isinstance(value, float) and value != value):
        return value
    return html.escape(str(value), quote=False)


def _base_layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(
        template=TEMPLATE,
        title={"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        font={"family": FONT_FAMILY, "size": 13, "color": TEXT_COLOUR},
        hoverlabel={"font": {"family": FONT_FAMILY}},
        height=height,
        margin={"l": 10, "r": 30, "t": 60, "b": 40},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "right", "x": 1},
        separators=".,",
    )
    return fig


def _rate_axis_max(*series: pd.Series, floor: float = 1.0) -> float:
    values = [float(v) for s in series for v in s.dropna()]
    top = max([floor, *values])
    return top * 1.12


def _floats(series: pd.Series) -> list[float | None]:
    """Plain lists keep the figure JSON readable (no binary arrays); missing → a gap."""
    return [None if v is None or v != v else float(v) for v in series]


def _last_label(rates: pd.Series) -> list[str]:
    """Text for a cumulative line: only its last known point carries its value."""
    values = _floats(rates)
    known = [i for i, v in enumerate(values) if v is not None]
    last = known[-1] if known else None
    return [fmt.pct(rates.iloc[i]) if i == last else "" for i in range(len(values))]


def _last_label_position(rates: pd.Series, time_progress: pd.Series) -> str:
    """Keep the last value's label off the time-progress line: below a line that runs behind."""
    values, progress = _floats(rates), _floats(time_progress)
    known = [i for i, v in enumerate(values) if v is not None]
    if known:
        last, line = values[known[-1]], progress[known[-1]]
        if last is not None and line is not None and last < line:
            return "bottom left"
    return "top left"


def _default(rule_id: str, name: str) -> float:
    """A threshold's default (perfbudget.thresholds), for a chart whose frame carries none."""
    return float(thresholds.BY_KEY[(rule_id, name)].default)


def _light_label(light: str, lang: str) -> str:
    return t(f"light_{light}", lang)


def department_execution_bars(
    departments: pd.DataFrame,
    lights: pd.DataFrame | None = None,
    lang: str = "zh",
    limit: int | None = None,
    title: str | None = None,
    height: int | None = None,
) -> go.Figure:
    """Horizontal bars of each department's execution rate, lowest at the top (the ones to
    look at first), coloured by light, with a vertical line at time progress.

    departments: data.department_execution rows; lights: data.scope_lights rows (level
    'department', column light: the worst of its projects' lights and its own flags), or
    None for one neutral colour; limit: only the departments with
    the lowest rates (a department without a rate counts as lowest); title: '' for none (a
    slide has its own); height: a fixed height in pixels instead of one that grows with the
    bars."""
    df = departments.copy()
    df["department"] = df["department"].map(plain)  # the bars' labels: names as text
    if lights is not None and not lights.empty:
        dept_lights = lights.loc[lights["level"] == "department", ["key", "light"]]
        df = df.merge(dept_lights, left_on="department_code", right_on="key", how="left")
    if "light" not in df:
        df["light"] = "grey"
    df["light"] = df["light"].fillna("grey")
    lowest_first = df.sort_values(
        ["execution_rate", "department_code"],
        ascending=[True, True],
        na_position="first",
        kind="stable",
    )
    shown = lowest_first.head(limit) if limit else lowest_first
    df = shown.iloc[::-1]  # plotly draws the first category at the bottom
    rates = df["execution_rate"].astype(float)
    time_progress = (
        float(df["time_progress"].dropna().iloc[0]) if df["time_progress"].notna().any() else None
    )

    fig = go.Figure()
    for light in LIGHT_ORDER:
        part = df[df["light"] == light]
        if part.empty:
            continue
        fig.add_trace(
            go.Bar(
                orientation="h",
                y=part["department"].tolist(),
                x=part["execution_rate"].astype(float).fillna(0).tolist(),
                name=_light_label(light, lang),
                marker={"color": LIGHT_COLOURS[light]},
                text=[fmt.pct(v) for v in part["execution_rate"]],
                textposition="outside",
                constraintext="none",  # the label keeps the axis font size beside a thin bar
                cliponaxis=False,
                customdata=list(
                    zip(
                        [fmt.money(v, lang=lang) for v in part["spent_yuan"]],
                        [fmt.money(v, lang=lang) for v in part["adjusted_budget_yuan"]],
                        [fmt.pp(v) for v in part["gap_pp"]],
                        strict=True,
                    )
                ),
                hovertemplate=(
                    "<b>%{y}</b><br>"
                    + t("chart_rate_axis", lang)
                    + " %{text}<br>"
                    + t("chart_hover_spent", lang)
                    + " %{customdata[0]} / "
                    + t("chart_hover_budget", lang)
                    + " %{customdata[1]}<br>"
                    + t("chart_hover_gap", lang)
                    + " %{customdata[2]} pp<extra></extra>"
                ),
            )
        )
    if time_progress is not None:
        fig.add_vline(
            x=time_progress,
            line={"color": TIME_PROGRESS_COLOUR, "width": 2, "dash": "dash"},
            annotation={
                "text": f"{t('chart_time_progress', lang)} {fmt.pct(time_progress)}",
                "font": {"color": TIME_PROGRESS_COLOUR, "family": FONT_FAMILY},
                "yanchor": "bottom",
                "y": 1.0,
                "yref": "paper",
                "showarrow": False,
                # beside the line, on the side with room
                "xanchor": "right" if time_progress > 0.5 else "left",
            },
        )
    height = height or max(340, 34 * len(df) + 190)
    if title is None:
        title = t("dept_chart_title", lang)
        if limit and len(departments) > limit:
            title += t("dept_chart_subtitle", lang, n=limit)
    _base_layout(fig, title, height)
    # The legend goes under the plot: the top belongs to the time-progress label.
    top, bottom = (80 if title else 36), 100
    plot_height = height - top - bottom
    fig.update_layout(
        barmode="overlay",
        bargap=0.3,
        margin={"t": top, "b": bottom},
        legend={
            "orientation": "h",
            "yanchor": "top",
            "y": -62 / plot_height,
            "xanchor": "left",
            "x": 0,
        },
    )
    fig.update_yaxes(
        title=None,
        automargin=True,
        categoryorder="array",
        categoryarray=list(df["department"]),
        ticksuffix="  ",
    )
    fig.update_xaxes(
        title=t("chart_rate_axis", lang),
        tickformat=".0%",
        range=[0, _rate_axis_max(rates)],
        gridcolor=GRID_COLOUR,
        zeroline=True,
        zerolinecolor=palette.ZERO_LINE,
    )
    return fig


def _cumulative_line_chart(
    months: pd.Series,
    rates: pd.Series,
    time_progress: pd.Series,
    title: str,
    lang: str,
) -> go.Figure:
    month_labels = [t("chart_month_tick", lang, m=int(m)) for m in months]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=month_labels,
            y=_floats(time_progress),
            mode="lines+markers",
            name=t("chart_time_progress", lang),
            line={"color": TIME_PROGRESS_COLOUR, "width": 2, "dash": "dash"},
            marker={"size": 6, "symbol": "diamond"},
            text=[fmt.pct(v) for v in time_progress],
            hovertemplate="%{x} " + t("chart_time_progress", lang) + " %{text}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=month_labels,
            y=_floats(rates),
            mode="lines+markers+text",
            name=t("chart_execution_rate", lang),
            line={"color": RATE_COLOUR, "width": 3},
            marker={"size": 8},
            text=_last_label(rates),
            textposition=_last_label_position(rates, time_progress),
            textfont={"color": RATE_COLOUR, "size": 12},
            customdata=[fmt.pct(v) for v in rates],
            hovertemplate="%{x} "
            + t("chart_execution_rate", lang)
            + " %{customdata}<extra></extra>",
            connectgaps=False,
        )
    )
    _base_layout(fig, title, 380)
    fig.update_xaxes(
        title=t("chart_month_axis", lang),
        type="category",
        tickangle=0,
        categoryorder="array",
        categoryarray=month_labels,
        gridcolor=GRID_COLOUR,
    )
    fig.update_yaxes(
        title=t("chart_rate_axis", lang),
        tickformat=".0%",
        range=[0, _rate_axis_max(rates, time_progress)],
        gridcolor=GRID_COLOUR,
        rangemode="tozero",
    )
    return fig


def execution_trend_chart(
    trend: pd.DataFrame, lang: str = "zh", title: str | None = None
) -> go.Figure:
    """Cumulative execution rate month by month (data.execution_trend) with the time-progress
    line; title '' for none (a slide has its own)."""
    fig = _cumulative_line_chart(
        trend["month"],
        trend["execution_rate"],
        trend["time_progress"],
        t("trend_chart_title", lang) if title is None else title,
        lang,
    )
    if title == "":
        fig.update_layout(margin={"t": 36})
    return fig


def project_curve_chart(curve: pd.DataFrame, project_label: str, lang: str = "zh") -> go.Figure:
    """One project's cumulative execution rate January–December (data.project_monthly_curve)
    against the time-progress line; months not yet reported are gaps, not zeros."""
    return _cumulative_line_chart(
        curve["month"],
        curve["execution_rate"],
        curve["time_progress"],
        t("curve_title", lang, project=plain(project_label)),
        lang,
    )


def indicator_light_bars(scorecard: pd.DataFrame, lang: str = "zh", limit: int = 15) -> go.Figure:
    """Stacked horizontal bars: how many indicators of each project are red, yellow, green,
    blue or without a value (data.project_target_scorecard); the `limit` projects with the
    most red, then yellow, indicators, worst at the top."""
    worst = scorecard.sort_values(
        ["red_count", "yellow_count", "project_code"], ascending=[False, False, True], kind="stable"
    ).head(limit)
    df = worst.iloc[::-1]  # plotly draws the first category at the bottom
    labels = [
        plain(f"{c} {n}") for c, n in zip(df["project_code"], df["project_name"], strict=True)
    ]
    fig = go.Figure()
    for light in LIGHT_ORDER:
        counts = df[f"{light}_count"].astype(int)
        fig.add_trace(
            go.Bar(
                orientation="h",
                y=labels,
                x=counts.tolist(),
                name=t("col_grey", lang) if light == "grey" else _light_label(light, lang),
                marker={"color": LIGHT_COLOURS[light]},
                text=[str(c) if c else "" for c in counts],
                textposition="inside",
                textangle=0,
                insidetextanchor="middle",
                textfont={"color": "white"},
                hovertemplate="%{y}<br>%{fullData.name} %{x}<extra></extra>",
            )
        )
    height = max(300, 30 * len(df) + 150)
    title = t("light_chart_title", lang)
    if len(scorecard) > limit:
        title += t("light_chart_subtitle", lang, n=limit)
    _base_layout(fig, title, height)
    fig.update_layout(barmode="stack", bargap=0.35, legend={"traceorder": "normal"})
    fig.update_yaxes(title=None, automargin=True, ticksuffix="  ")
    fig.update_xaxes(
        title=t("chart_indicator_count", lang),
        gridcolor=GRID_COLOUR,
        dtick=1 if df[[f"{x}_count" for x in LIGHT_ORDER]].sum(axis=1).max() <= 10 else None,
    )
    return fig


# --- briefing charts: dual monitoring, self-evaluation grades, unit costs -------------------

QUADRANT_COLOURS = palette.QUADRANT
# The slide's legend and drawing order: the worst quadrant first.
QUADRANT_ORDER = ("both_behind", "spending_ahead", "outputs_ahead", "on_track")
GRADE_ORDER = vocab.GRADES
GRADE_COLOURS = palette.GRADE
CLAIMED_COLOUR = palette.CLAIMED_GRADE


def _titled(fig: go.Figure, title: str, height: int, top: int) -> go.Figure:
    """The base layout; an empty title leaves only `top` pixels above the plot (a slide has
    its own title)."""
    _base_layout(fig, title, height)
    fig.update_layout(margin={"t": top if title else 36})
    return fig


@dataclass(frozen=True)
class _DualLook:
    """What the dual-monitoring chart's size changes: the screen's is tall and interactive
    (every pace on its axis, the cut-offs labelled, the corner names on the plot's edges), a
    slide's is compact (the axis stops near the 98th percentile pace, a pace beyond it drawn
    at the edge as a triangle; the corner names inside the plot)."""

    order: tuple[str, ...]  # drawing and legend order of the quadrants
    height: int
    bubble: tuple[
        float, float, float
    ]  # area ∝ budget: diameter = max(floor, offset + scale × √share)
    outline: float  # white ring around a bubble
    cutoff_colour: str
    cutoff_labels: bool  # R = 0.8 / 产出进度 80% beside the cut-off lines
    clip_pace: bool  # stop the x axis near the 98th percentile (a slide)
    corners_on_paper: bool  # corner names at the plot's edges (screen) or in data space
    corner_bold: bool
    corner_background: str
    pace_axis_key: str


_DUAL_LOOKS = {
    "screen": _DualLook(
        order=vocab.QUADRANTS,
        height=560,
        bubble=(8.0, 0.0, 46.0),
        outline=1.0,
        cutoff_colour=palette.CUTOFF_LINE,
        cutoff_labels=True,
        clip_pace=False,
        corners_on_paper=True,
        corner_bold=True,
        corner_background="rgba(255,255,255,0.8)",
        pace_axis_key="chart_pace_axis",
    ),
    "slide": _DualLook(
        order=QUADRANT_ORDER,
        height=480,
        bubble=(0.0, 5.0, 26.0),
        outline=0.5,
        cutoff_colour=palette.CUTOFF_LINE_SLIDE,
        cutoff_labels=False,
        clip_pace=True,
        corners_on_paper=False,
        corner_bold=False,
        corner_background="rgba(255,255,255,0.85)",
        pace_axis_key="brief_pace_axis",
    ),
}
_CORNERS = {  # quadrant: (right?, top?)
    "on_track": (True, True),
    "spending_ahead": (True, False),
    "outputs_ahead": (False, True),
    "both_behind": (False, False),
}


# A scatter draws at most this many projects (the largest budgets); its table lists them all.
# A city has 50,000: drawn whole, the briefing's chart took seconds and hundreds of MiB, and
# no one can read 50,000 dots.
CHART_MAX_POINTS = 1_500


def largest_budgets(projects: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """The `limit` (default CHART_MAX_POINTS) projects with the largest adjusted budgets, in
    their own order."""
    limit = CHART_MAX_POINTS if limit is None else limit
    if len(projects) <= limit:
        return projects
    budget = projects["adjusted_budget_yuan"].map(lambda v: 0.0 if v is None else float(v))
    return projects.loc[budget.nlargest(limit).index.sort_values()].reset_index(drop=True)


def dual_monitoring_chart(
    frame: pd.DataFrame,
    lang: str = "zh",
    *,
    size: str = "screen",
    title: str | None = None,
    height: int | None = None,
) -> go.Figure:
    """双监控: each project's spending pace R (x) against its output progress (y), both 1.0 =
    on schedule (data.project_dual_monitoring rows), bubble area by adjusted budget, coloured
    by the quadrant the query assigned (palette.QUADRANT, named by vocab.quadrant_key), with
    the two cut-off lines and the four quadrants named in their corners.

    size: "screen" (the dual-monitoring page; a click on a bubble gives its project code,
    customdata[0]) or "slide" (the briefing); title: '' for none (a slide has its own);
    height: pixels, instead of the size's."""
    look = _DUAL_LOOKS[size]
    pace = frame["pace"].astype(float)
    budgets = frame["adjusted_budget_yuan"].map(lambda v: float(v) if v is not None else 0.0)
    biggest = float(budgets.max()) if len(budgets) and budgets.max() > 0 else 1.0
    # the query's cut-offs; on an empty frame, the registry's defaults of the same thresholds
    pace_cut = (
        float(frame["pace_cutoff"].iloc[0])
        if len(frame)
        else _default("slow_spending", "pace_yellow_below")
    )
    output_cut = (
        float(frame["output_cutoff"].iloc[0])
        if len(frame)
        else _default("indicator_behind", "yellow_below")
    )
    if look.clip_pace:
        x_top = min(max(1.3, float(pace.quantile(0.98)) * 1.08 if len(pace) else 1.3), 3.0)
        y_top = 1.19
    else:
        x_top = max(1.5, float(pace.max()) * 1.08 if len(frame) else 1.5)
        y_top = max(1.5, float(frame["output_progress"].max()) * 1.08 if len(frame) else 1.5)
    floor, offset, scale = look.bubble
    fig = go.Figure()
    for quadrant in look.order:
        part = frame[frame["quadrant"] == quadrant]
        if part.empty:
            continue
        x = part["pace"].astype(float)
        shares = [max(float(v or 0), 0.0) / biggest for v in part["adjusted_budget_yuan"]]
        fig.add_trace(
            go.Scatter(
                x=[min(v, x_top) for v in x] if look.clip_pace else _floats(part["pace"]),
                y=_floats(part["output_progress"]),
                mode="markers",
                name=t(vocab.quadrant_key(quadrant), lang),
                marker={
                    "size": [max(floor, offset + scale * share**0.5) for share in shares],
                    "color": palette.QUADRANT[quadrant],
                    "opacity": 0.7,
                    "line": {"color": "white", "width": look.outline},
                    **(
                        {"symbol": ["triangle-right" if v > x_top else "circle" for v in x]}
                        if look.clip_pace
                        else {}
                    ),
                },
                # [0] the code as it is, for the click that opens the project; [1], [2] and [6]
                # what the hover shows, as text
                customdata=list(
                    zip(
                        part["project_code"],
                        part["project_name"].map(plain),
                        part["department"].map(plain),
                        [fmt.money(v, lang=lang) for v in part["adjusted_budget_yuan"]],
                        [fmt.ratio(v) for v in part["pace"]],
                        [fmt.pct(v) for v in part["output_progress"]],
                        part["project_code"].map(plain),
                        strict=True,
                    )
                ),
                hovertemplate=(
                    "<b>%{customdata[6]} %{customdata[1]}</b><br>%{customdata[2]}<br>"
                    + t("chart_hover_budget", lang)
                    + " %{customdata[3]}<br>"
                    + t("chart_pace_axis", lang)
                    + " %{customdata[4]}<br>"
                    + t("chart_output_axis", lang)
                    + " %{customdata[5]}<extra></extra>"
                ),
            )
        )
    line = {"color": look.cutoff_colour, "width": 1.5, "dash": "dash"}
    if look.cutoff_labels:
        fig.add_vline(
            x=pace_cut,
            line=line,
            annotation_position="bottom right",
            annotation_text=t("dual_cutoff_pace", lang, v=fmt.ratio(pace_cut)),
            annotation_font_color=palette.CUTOFF_TEXT,
        )
        fig.add_hline(
            y=output_cut,
            line=line,
            annotation_position="top right",
            annotation_text=t("dual_cutoff_output", lang, v=fmt.pct(output_cut)),
            annotation_font_color=palette.CUTOFF_TEXT,
        )
    else:
        fig.add_vline(x=pace_cut, line=line)
        fig.add_hline(y=output_cut, line=line)
    for quadrant, (right, top) in _CORNERS.items():
        name = t(vocab.quadrant_key(quadrant), lang)
        font = {"color": palette.QUADRANT[quadrant], "size": 13}
        if look.corners_on_paper:
            place = {
                "xref": "paper",
                "yref": "paper",
                "x": int(right),
                "y": 1 if top else 0.06,
                "yanchor": "top" if top else "bottom",
            }
        else:
            place = {
                "x": x_top if right else 0.02,
                "y": 1.17 if top else 0.02,
                "yanchor": "top" if top else "bottom",
            }
            font["family"] = FONT_FAMILY
        fig.add_annotation(
            text=f"<b>{name}</b>" if look.corner_bold else name,
            showarrow=False,
            xanchor="right" if right else "left",
            font=font,
            bgcolor=look.corner_background,
            **place,
        )
    chart_title = t("dual_chart_title", lang) if title is None else title
    if look.clip_pace:
        _titled(fig, chart_title, height or look.height, 70)
        fig.update_xaxes(
            title=t(look.pace_axis_key, lang),
            range=[0, x_top * 1.02],
            gridcolor=GRID_COLOUR,
            zeroline=False,
        )
        fig.update_yaxes(
            title=t("chart_output_axis", lang),
            range=[0, y_top],
            tickformat=".0%",
            tickvals=[0, 0.2, 0.4, 0.6, 0.8, 1.0],
            gridcolor=GRID_COLOUR,
            zeroline=False,
        )
        fig.update_layout(legend={"itemsizing": "constant"})
    else:
        _base_layout(fig, chart_title, height or look.height)
        fig.update_layout(margin={"t": 80, "b": 60})
        fig.update_xaxes(
            title=t(look.pace_axis_key, lang),
            range=[0, x_top],
            gridcolor=GRID_COLOUR,
            zeroline=False,
        )
        # automargin + standoff: the axis title clear of the tick labels
        fig.update_yaxes(
            title={"text": t("chart_output_axis", lang), "standoff": 10},
            automargin=True,
            range=[0, y_top],
            tickformat=".0%",
            gridcolor=GRID_COLOUR,
            zeroline=False,
        )
    return fig


def selfeval_grade_bars(
    selfeval: pd.DataFrame,
    lang: str = "zh",
    title: str | None = None,
    height: int = 420,
) -> go.Figure:
    """How many projects got each grade on the recomputed score, beside the grades the units
    claimed (data.project_selfeval rows)."""
    computed = selfeval["grade"].value_counts()
    claimed = selfeval["claimed_grade"].value_counts()
    total = max(len(selfeval), 1)
    labels = [g if lang == "zh" else f"{t(vocab.grade_key(g), lang)} ({g})" for g in GRADE_ORDER]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            x=labels,
            y=[int(claimed.get(g, 0)) for g in GRADE_ORDER],
            name=t("brief_claimed_grade", lang),
            marker={"color": CLAIMED_COLOUR},
            text=[str(int(claimed.get(g, 0))) for g in GRADE_ORDER],
            textposition="outside",
            cliponaxis=False,
        )
    )
    counts = [int(computed.get(g, 0)) for g in GRADE_ORDER]
    fig.add_trace(
        go.Bar(
            x=labels,
            y=counts,
            name=t("brief_computed_grade", lang),
            marker={"color": [GRADE_COLOURS[g] for g in GRADE_ORDER]},
            text=[
                f"{c}（{fmt.pct(c / total)}）" if lang == "zh" else f"{c} ({fmt.pct(c / total)})"
                for c in counts
            ],
            textposition="outside",
            cliponaxis=False,
        )
    )
    _titled(fig, t("brief_grade_title", lang) if title is None else title, height, 70)
    top = max([*counts, *[int(v) for v in claimed], 1])
    fig.update_layout(barmode="group", bargap=0.3, bargroupgap=0.08)
    fig.update_xaxes(title=t("brief_grade_axis", lang))
    fig.update_yaxes(
        title=t("brief_project_count", lang),
        gridcolor=GRID_COLOUR,
        range=[0, top * 1.18],
        rangemode="tozero",
    )
    return fig


def cost_deviation_bars(
    flagged: pd.DataFrame,
    lang: str = "zh",
    title: str | None = None,
    limit: int = 12,
    height: int | None = None,
) -> go.Figure:
    """The projects whose unit cost is furthest above its reference (the cost_above_reference
    flags: value = unit cost ÷ reference − 1), coloured by severity, largest at the top."""
    top = flagged.sort_values(
        ["value", "project_code"], ascending=[False, True], kind="stable"
    ).head(limit)
    df = top.iloc[::-1]
    labels = [
        plain(f"{n}（{c}）" if lang == "zh" else f"{n} ({c})")
        for n, c in zip(df["project_name"], df["service_class"].fillna(""), strict=True)
    ]
    fig = go.Figure()
    for severity in ("red", "yellow"):
        mask = (df["severity"] == severity).to_numpy()
        if not mask.any():
            continue
        part = df[mask]
        fig.add_trace(
            go.Bar(
                orientation="h",
                y=[lbl for lbl, m in zip(labels, mask, strict=True) if m],
                x=part["value"].astype(float).tolist(),
                name=t(f"severity_{severity}", lang),
                marker={"color": LIGHT_COLOURS[severity]},
                text=[f"+{fmt.pct(v)}" for v in part["value"]],
                textposition="outside",
                cliponaxis=False,
                customdata=list(
                    zip(
                        [fmt.number(v) for v in part["unit_cost_yuan"]],
                        [fmt.number(v) for v in part["reference_unit_cost_yuan"]],
                        part["output_unit"].fillna("").map(plain),
                        strict=True,
                    )
                ),
                hovertemplate=(
                    "%{y}<br>"
                    + t("brief_unit_cost", lang)
                    + " %{customdata[0]} 元/%{customdata[2]}"
                    + "<br>"
                    + t("brief_reference_cost", lang)
                    + " %{customdata[1]} 元/%{customdata[2]}<extra></extra>"
                ),
            )
        )
    chart_height = height or max(340, 32 * len(df) + 170)
    _titled(fig, t("brief_cost_title", lang) if title is None else title, chart_height, 70)
    fig.update_layout(barmode="overlay", bargap=0.3)
    fig.update_yaxes(
        title=None, automargin=True, categoryorder="array", categoryarray=labels, ticksuffix="  "
    )
    highest = float(df["value"].max()) if len(df) else 0.3
    fig.update_xaxes(
        title=t("brief_cost_axis", lang),
        tickformat=".0%",
        range=[0, max(highest, 0.25) * 1.18],
        gridcolor=GRID_COLOUR,
    )
    return fig


# --- dual monitoring, self-evaluation, league, forecast, rectification, disclosure ----------

GRADES = vocab.GRADES


def grade_distribution_bars(
    selfeval: pd.DataFrame, lang: str = "zh", limit: int | None = None
) -> go.Figure:
    """How many projects of each department were graded 优/良/中/差 (data.project_selfeval),
    stacked horizontal bars; departments with the most 差, then 中, at the top; limit: only
    that many of them."""
    counts = (
        selfeval.dropna(subset=["grade"])
        .groupby(["department", "grade"])
        .size()
        .unstack(fill_value=0)
        .reindex(columns=list(GRADES), fill_value=0)
    )
    worst_first = counts.sort_values(
        ["差", "中", "良"], ascending=[False, False, False], kind="stable"
    )
    shown = worst_first.head(limit) if limit else worst_first
    counts = shown.iloc[::-1]  # plotly draws the first category at the bottom
    fig = go.Figure()
    for grade in GRADES:
        values = counts[grade].astype(int)
        name = grade if lang == "zh" else t(vocab.grade_key(grade), lang)
        fig.add_trace(
            go.Bar(
                orientation="h",
                y=[plain(d) for d in counts.index],
                x=values.tolist(),
                name=name,
                marker={"color": palette.GRADE[grade]},
                text=[str(v) if v else "" for v in values],
                textposition="inside",
                textangle=0,
                insidetextanchor="middle",
                textfont={"color": "white"},
                hovertemplate="%{y}<br>" + name + " %{x}<extra></extra>",
            )
        )
    height = max(320, 24 * len(counts) + 160)
    title = t("grade_chart_title", lang)
    if limit and len(worst_first) > limit:
        title += t("grade_chart_subtitle", lang, n=limit)
    _base_layout(fig, title, height)
    fig.update_layout(barmode="stack", bargap=0.3, legend={"traceorder": "normal"})
    fig.update_yaxes(title=None, automargin=True, ticksuffix="  ")
    fig.update_xaxes(title=t("chart_project_count", lang), gridcolor=GRID_COLOUR)
    return fig


def league_trend_chart(
    trend: pd.DataFrame, department_codes: list[str], lang: str = "zh"
) -> go.Figure:
    """Each chosen department's league score month by month (data.department_league_trend)."""
    fig = go.Figure()
    months = sorted(int(m) for m in trend["month"].unique()) if not trend.empty else []
    labels = [t("chart_month_tick", lang, m=m) for m in months]
    for code in department_codes:
        part = trend[trend["department_code"] == code].sort_values("month")
        if part.empty:
            continue
        by_month = dict(zip(part["month"].astype(int), part["score"], strict=True))
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=[by_month.get(m) for m in months],
                mode="lines+markers",
                name=plain(part["department"].iloc[-1]),
                connectgaps=False,
                hovertemplate="%{x} %{fullData.name}: %{y:.1f}<extra></extra>",
            )
        )
    _base_layout(fig, t("league_trend_title", lang), 400)
    fig.update_xaxes(
        title=t("chart_month_axis", lang),
        type="category",
        categoryorder="array",
        categoryarray=labels,
        gridcolor=GRID_COLOUR,
    )
    fig.update_yaxes(title=t("league_score_axis", lang), range=[0, 105], gridcolor=GRID_COLOUR)
    return fig


def forecast_curve_chart(
    curve: pd.DataFrame,
    shares: pd.DataFrame,
    month: int,
    forecast_rate: float | None,
    lang: str = "zh",
) -> go.Figure:
    """How a year-end forecast was made: the project's cumulative execution rate to date
    (data.project_monthly_curve), the typical cumulative share s(m) of the unit or district
    (data.project_forecast_shares), and the projection forecast rate × s(m) from the as-of
    month to December, which ends at the forecast execution rate."""
    month_labels = [t("chart_month_tick", lang, m=m) for m in range(1, 13)]
    share_by_month = dict(zip(shares["month"].astype(int), shares["typical_share"], strict=True))
    typical = [share_by_month.get(m) for m in range(1, 13)]
    rates = dict(zip(curve["month"].astype(int), curve["execution_rate"], strict=True))
    actual = [rates.get(m) if m <= month else None for m in range(1, 13)]
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=month_labels,
            y=_floats(pd.Series(typical, dtype=float)),
            mode="lines+markers",
            name=t("forecast_typical_share", lang),
            line={"color": palette.TYPICAL_SHARE, "width": 2},
            marker={"size": 6},
            hovertemplate="%{x} s(m) = %{y:.1%}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=month_labels,
            y=_floats(pd.Series(actual, dtype=float)),
            mode="lines+markers",
            name=t("chart_execution_rate", lang),
            line={"color": RATE_COLOUR, "width": 3},
            marker={"size": 8},
            hovertemplate="%{x} %{y:.1%}<extra></extra>",
        )
    )
    if forecast_rate is not None:
        projection = [
            forecast_rate * share_by_month[m]
            if m >= month and share_by_month.get(m) is not None
            else None
            for m in range(1, 13)
        ]
        # a project that stopped reporting (last in 9月, as of 12月): the projection starts at
        # its last reported point, not as a lone dot at 12月
        reported = [m for m in range(1, month + 1) if pd.notna(actual[m - 1])]
        if reported and reported[-1] < month:
            projection[reported[-1] - 1] = actual[reported[-1] - 1]
        fig.add_trace(
            go.Scatter(
                x=month_labels,
                y=projection,
                connectgaps=True,
                mode="lines+markers",
                name=t("forecast_projection", lang),
                line={"color": RATE_COLOUR, "width": 2, "dash": "dot"},
                marker={"size": 5},
                hovertemplate="%{x} %{y:.1%}<extra></extra>",
            )
        )
    values = [v for v in [*typical, *actual, forecast_rate] if v is not None and v == v]
    _base_layout(fig, t("forecast_chart_title", lang), 400)
    fig.update_xaxes(
        title=t("chart_month_axis", lang),
        type="category",
        categoryorder="array",
        categoryarray=month_labels,
        gridcolor=GRID_COLOUR,
    )
    fig.update_yaxes(
        title=t("forecast_share_axis", lang),
        tickformat=".0%",
        gridcolor=GRID_COLOUR,
        range=[0, max([1.0, *map(float, values)]) * 1.1],
    )
    return fig


RECTIFICATION_COLOURS = palette.RECTIFICATION


def rectification_bars(
    departments: pd.DataFrame, lang: str = "zh", limit: int | None = None
) -> go.Figure:
    """Rectification items of each department by status (data.department_rectification),
    stacked; the departments with the most overdue items at the top; limit: only that many
    of them (50 bars of one or two items each said nothing)."""
    df = departments.sort_values(
        ["overdue_count", "open_count", "department_code"],
        ascending=[True, True, False],
        kind="stable",
    )
    shown_all = len(df)
    if limit:
        df = df.tail(limit)  # the worst are last: plotly draws the first at the bottom
    fig = go.Figure()
    for status in ("overdue", "open", "done_late", "done"):
        values = df[f"{status}_count"].astype(int)
        fig.add_trace(
            go.Bar(
                orientation="h",
                y=[plain(d) for d in df["department"]],
                x=values.tolist(),
                name=t(f"rect_status_{status}", lang),
                marker={"color": RECTIFICATION_COLOURS[status]},
                text=[str(v) if v else "" for v in values],
                textposition="inside",
                textangle=0,
                insidetextanchor="middle",
                textfont={"color": "white"},
                hovertemplate="%{y}<br>%{fullData.name} %{x}<extra></extra>",
            )
        )
    height = max(300, 26 * len(df) + 160)
    title = t("rect_chart_title", lang)
    if limit and shown_all > limit:
        title += t("rect_chart_subtitle", lang, n=limit)
    _base_layout(fig, title, height)
    fig.update_layout(barmode="stack", bargap=0.3, legend={"traceorder": "normal"})
    fig.update_yaxes(title=None, automargin=True, ticksuffix="  ")
    fig.update_xaxes(title=t("rect_item_count", lang), gridcolor=GRID_COLOUR)
    return fig


def disclosure_coverage_bars(departments: pd.DataFrame, lang: str = "zh") -> go.Figure:
    """Each department's disclosed share of its non-sensitive project budget
    (data.department_disclosure) against the minimum coverage line; lowest at the top."""
    df = departments.sort_values(
        ["coverage", "department_code"], ascending=[False, False], na_position="last", kind="stable"
    )
    minimum = (
        float(df["min_coverage"].dropna().iloc[0])
        if df["min_coverage"].notna().any()
        else _default("disclosure_gap", "min_coverage")
    )
    colours = [
        LIGHT_COLOURS["green"] if bool(ok) else LIGHT_COLOURS["red"] for ok in df["meets_coverage"]
    ]
    fig = go.Figure(
        go.Bar(
            orientation="h",
            y=[plain(d) for d in df["department"]],
            x=_floats(df["coverage"]),
            marker={"color": colours},
            text=[fmt.pct(v) for v in df["coverage"]],
            textposition="outside",
            cliponaxis=False,
            showlegend=False,
            hovertemplate="%{y}<br>%{text}<extra></extra>",
        )
    )
    fig.add_vline(
        x=minimum,
        line={"color": TIME_PROGRESS_COLOUR, "width": 2, "dash": "dash"},
        annotation={
            "text": t("disclosure_min_line", lang, v=fmt.pct(minimum)),
            "yref": "paper",
            "y": 1.0,
            "yanchor": "bottom",
            "xanchor": "left",
            "showarrow": False,
            "font": {"color": TIME_PROGRESS_COLOUR},
        },
    )
    height = max(300, 24 * len(df) + 160)
    _base_layout(fig, t("disclosure_chart_title", lang), height)
    fig.update_layout(margin={"t": 80})
    fig.update_yaxes(title=None, automargin=True, ticksuffix="  ")
    fig.update_xaxes(
        title=t("disclosure_coverage_axis", lang),
        tickformat=".0%",
        range=[0, 1.12],
        gridcolor=GRID_COLOUR,
    )
    return fig


# --- cost benchmarking (一类事) ------------------------------------------------------------


def _jitter(count: int) -> list[float]:
    """Fixed vertical offsets for a strip of points (the same chart on every run): a point's
    height says nothing, it only keeps equal costs apart."""
    return [((i * 7) % 11 - 5) / 12 for i in range(count)]


def cost_strip_chart(
    projects: pd.DataFrame, stats: pd.Series, lang: str = "zh", title: str | None = None
) -> go.Figure:
    """Every peer's unit cost of one class and output unit as a point (data.cost_class_projects,
    the rows without an excluded_reason), over the class's P25–P75 band, with the median, the
    成本定额标准 and the suggested standard as lines where they exist (data.cost_class_summary's
    row), Tukey outliers in red. Hover: project, budget unit, department, district, unit cost."""
    unit = plain(stats["output_unit"])
    peers = projects.sort_values(["unit_cost_yuan", "project_code"], kind="stable")
    fig = go.Figure()
    p25, p75 = stats["p25_unit_cost_yuan"], stats["p75_unit_cost_yuan"]
    if pd.notna(p25) and pd.notna(p75):
        fig.add_vrect(
            x0=float(p25),
            x1=float(p75),
            fillcolor=palette.COST["band"],
            opacity=0.7,
            line_width=0,
            layer="below",
        )
    lines = [
        ("median_unit_cost_yuan", "median", "cost_line_median"),
        ("standard_unit_cost_yuan", "standard", "cost_line_standard"),
        ("suggested_standard_yuan", "suggested", "cost_line_suggested"),
    ]
    for column, colour, key in lines:
        value = stats[column]
        if pd.isna(value):
            continue
        fig.add_vline(
            x=float(value),
            line={
                "color": palette.COST[colour],
                "width": 2,
                "dash": "solid" if colour == "median" else "dash",
            },
        )
        # a legend entry for the line (a vline has none of its own)
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="lines",
                name=t(key, lang, value=fmt.number(value), unit=unit),
                line={
                    "color": palette.COST[colour],
                    "width": 2,
                    "dash": "solid" if colour == "median" else "dash",
                },
            )
        )
    heights = _jitter(len(peers))
    outlier = peers["is_outlier"].fillna(False).astype(bool).to_numpy()
    for is_out, name, colour, symbol in (
        (False, t("cost_points", lang), palette.COST["point"], "circle"),
        (True, t("cost_outliers", lang), palette.COST["outlier"], "x"),
    ):
        mask = outlier == is_out
        if not mask.any():
            continue
        part = peers[mask]
        fig.add_trace(
            go.Scatter(
                x=part["unit_cost_yuan"].astype(float).tolist(),
                y=[h for h, m in zip(heights, mask, strict=True) if m],
                mode="markers",
                name=name,
                marker={"color": colour, "size": 10, "symbol": symbol, "opacity": 0.85},
                customdata=list(
                    zip(
                        part["project_name"].map(plain),
                        part["unit"].map(plain),
                        part["department"].map(plain),
                        part["district"].map(plain),
                        [fmt.number(v) for v in part["unit_cost_yuan"]],
                        strict=True,
                    )
                ),
                hovertemplate=(
                    "%{customdata[0]}<br>"
                    + t("col_budget_unit", lang)
                    + " %{customdata[1]}"
                    + "<br>"
                    + t("col_department", lang)
                    + " %{customdata[2]}"
                    + "<br>"
                    + t("col_district", lang)
                    + " %{customdata[3]}"
                    + "<br>"
                    + t("cost_unit", lang)
                    + " %{customdata[4]} "
                    + t("cost_per_unit", lang, unit=unit)
                    + "<extra></extra>"
                ),
            )
        )
    _base_layout(fig, t("cost_strip_title", lang) if title is None else title, 360)
    fig.update_yaxes(visible=False, range=[-0.8, 0.8])
    fig.update_xaxes(
        title=t("cost_axis", lang, unit=unit), gridcolor=GRID_COLOUR, rangemode="tozero"
    )
    return fig


def cost_group_median_bars(
    groups: pd.DataFrame, lang: str = "zh", title: str | None = None, limit: int = 20
) -> go.Figure:
    """The class median per unit, department or district (data.cost_group_medians) this year
    and the previous year side by side, the highest this year at the top."""
    df = groups.head(limit).iloc[::-1]
    labels = [plain(v) for v in df["group_name"]]
    fig = go.Figure()
    fig.add_trace(
        go.Bar(
            orientation="h",
            y=labels,
            x=_floats(df["previous_median_unit_cost_yuan"]),
            name=t("cost_previous_year", lang),
            marker={"color": palette.COST["previous"]},
        )
    )
    fig.add_trace(
        go.Bar(
            orientation="h",
            y=labels,
            x=_floats(df["median_unit_cost_yuan"]),
            name=t("cost_this_year", lang),
            marker={"color": palette.COST["point"]},
            text=[fmt.number(v) for v in df["median_unit_cost_yuan"]],
            textposition="outside",
            cliponaxis=False,
        )
    )
    _base_layout(
        fig, t("cost_group_title", lang) if title is None else title, max(320, 40 * len(df) + 160)
    )
    fig.update_layout(barmode="group", bargap=0.25)
    fig.update_yaxes(title=None, automargin=True, ticksuffix="  ")
    fig.update_xaxes(title=t("cost_median_axis", lang), gridcolor=GRID_COLOUR, rangemode="tozero")
    return fig
