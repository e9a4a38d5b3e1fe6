"""总览 Overview: the headline tiles with their lights, execution against time progress by
department, the monthly trend, and the warnings to look at first."""

import streamlit as st

from perfbudget import data, ui
from perfbudget.ui import charts, fmt

ui.ensure_router()

year, month = ui.require_period()
scope = ui.current_scope()
lang = ui.lang()

st.title(ui.tr("overview_title"))
summary = data.scope_summary(year, month, scope)
if summary.empty or int(summary["project_count"].iloc[0]) == 0:
    st.info(ui.tr("no_data"), icon=":material/upload_file:")
    st.stop()
kpi = summary.iloc[0]
st.caption(
    ui.tr("as_of", year=year, month=month)
    + " · "
    + ui.tr(
        "scope_line",
        departments=int(kpi["department_count"]),
        projects=int(kpi["project_count"]),
        reported=int(kpi["reported_project_count"]),
    )
)

# every count from one place (flags.flag_counts): the tile = red + yellow warnings; the list
# below shows the worst of those, and its caption the rest; blue and data-quality notes apart
counts = data.flag_counts(year, month, scope)
red_yellow = data.light_flags(year, month, scope)

tiles = [*st.columns(3), *st.columns(3)]
with tiles[0], st.container(border=True, height="stretch"):
    st.metric(ui.tr("kpi_budget"), fmt.money(kpi["adjusted_budget_yuan"], lang=lang))
    ui.badge("grey", ui.tr("kpi_projects", n=int(kpi["project_count"])))
with tiles[1], st.container(border=True, height="stretch"):
    st.metric(ui.tr("kpi_spent"), fmt.money(kpi["spent_yuan"], lang=lang))
    ui.badge("grey", ui.tr("kpi_spent_share", rate=fmt.pct(kpi["execution_rate"])))
with tiles[2], st.container(border=True, height="stretch"):
    st.metric(
        ui.tr("kpi_rate"),
        fmt.pct(kpi["execution_rate"]),
        help=ui.tr("pace_light_help"),
    )
    ui.badge(
        kpi["pace_light"],
        ui.tr("pace_light_named", light=ui.light_label(kpi["pace_light"]))
        + " · "
        + ui.tr("kpi_time_progress", tp=fmt.pct(kpi["time_progress"])),
    )
with tiles[3], st.container(border=True, height="stretch"):
    st.metric(
        ui.tr("kpi_gap"),
        ui.tr("pp_unit", v=fmt.pp(kpi["gap_pp"])),
        help=ui.tr("kpi_gap_help"),
    )
    ui.badge(kpi["pace_light"], ui.tr("kpi_pace", r=fmt.ratio(kpi["pace"])))
with tiles[4], st.container(border=True, height="stretch"):
    st.metric(
        ui.tr("kpi_indicators"),
        fmt.pct(kpi["indicator_on_track_rate"]),
        help=ui.tr("kpi_indicators_help"),
    )
    ui.badge(
        "grey",
        ui.tr(
            "kpi_indicators_detail",
            on=int(kpi["indicator_on_track_count"]),
            n=int(kpi["indicator_reported_count"]),
        ),
    )
with tiles[5], st.container(border=True, height="stretch"):
    st.metric(
        ui.tr("kpi_warnings"),
        ui.tr("kpi_warnings_value", n=counts.warnings),
        help=ui.tr("kpi_warnings_help"),
    )
    ui.badge(counts.light, ui.tr("kpi_warning_counts", red=counts.red, yellow=counts.yellow))

left, right = st.columns([1, 1], gap="large")
with left:
    departments = data.department_execution(year, month, scope)
    if departments.empty:
        st.info(ui.tr("no_departments"))
    else:
        lights = data.scope_lights(year, month, scope)
        show_all = len(departments) <= ui.CHART_DEPARTMENTS or st.toggle(
            ui.tr("show_all_departments", n=len(departments)), key="overview_all_departments"
        )
        ui.plotly(
            charts.department_execution_bars(
                departments, lights, lang, limit=None if show_all else ui.CHART_DEPARTMENTS
            ),
            key="dept_bars",
            as_of=ui.tr("as_of", year=year, month=month),
        )
        st.caption(ui.tr("dept_chart_light_note"))
with right:
    trend = data.execution_trend(year, month, None, scope)
    if trend.empty or trend["spent_yuan"].isna().all():
        st.info(ui.tr("no_trend"))
    else:
        ui.plotly(
            charts.execution_trend_chart(trend, lang),
            key="trend",
            as_of=ui.tr("as_of", year=year, month=month),
        )

st.subheader(ui.tr("top_warnings"))
if red_yellow.empty:
    st.success(ui.tr("no_warnings"), icon=":material/check_circle:")
else:
    message_column = "message" if lang == "zh" else "message_en"
    top = ui.with_messages(red_yellow.head(8))  # worded: only the eight shown
    # what a leader already did about each (已关注 / 已处理): a marker on its card
    top = data.with_followup(top, year, month, scope)
    for row in top.itertuples():
        with st.container(border=True):
            cols = st.columns([1.1, 6])
            with cols[0]:
                ui.badge(row.severity, ui.severity_label(row.severity))
                st.caption(ui.rule_label(row.rule))
                if isinstance(row.followup_status, str):
                    ui.badge("grey", ui.followup_status_label(row.followup_status))
            with cols[1]:
                st.markdown(ui.flag_subject(row))
                st.markdown(ui.md_text(getattr(row, message_column)))
                if isinstance(row.project_code, str) and row.project_code:
                    ui.project_link(row.project_code)  # the card opens its project
    if counts.warnings > len(top):
        st.caption(ui.tr("more_warnings", n=counts.warnings - len(top)))
if counts.blue:
    st.caption(ui.tr("blue_note", n=counts.blue))
if counts.data_quality:
    st.caption(ui.tr("data_quality_note", n=counts.data_quality))
st.page_link("pages/warnings.py", label=ui.tr("all_warnings_link"), icon=":material/warning:")
