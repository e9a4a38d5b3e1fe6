"""双监控 Dual monitoring: each project's spending pace against its output progress, bubble
size by budget, coloured by quadrant, with the cut-off lines; a row picked in the table opens
the project page."""

import pandas as pd
import streamlit as st

from perfbudget import data, ui
from perfbudget.ui import charts, fmt

ui.ensure_router()

year, month = ui.require_period()
scope = ui.current_scope()
lang = ui.lang()

st.title(ui.tr("dual_title"))
st.caption(ui.tr("as_of", year=year, month=month) + " · " + ui.tr("dual_intro"))

projects = data.project_dual_monitoring(year, month, scope)
if projects.empty:
    st.info(ui.tr("dual_empty"), icon=":material/info:")
    st.stop()

QUADRANTS = ui.vocab.QUADRANTS
filters = st.columns(2)
departments = dict(zip(projects["department_code"], projects["department"], strict=False))
with filters[0]:
    chosen_departments = st.multiselect(
        ui.tr("filter_department"),
        sorted(departments),
        key="dual_department",
        format_func=lambda code: f"{code} {departments[code]}",
        placeholder=ui.tr("filter_all"),
    )
with filters[1]:
    chosen_quadrants = st.multiselect(
        ui.tr("filter_quadrant"),
        list(QUADRANTS),
        key="dual_quadrant",
        format_func=lambda q: ui.tr(f"quadrant_{q}"),
        placeholder=ui.tr("filter_all"),
    )
shown = projects
if chosen_departments:
    shown = shown[shown["department_code"].isin(chosen_departments)]
if chosen_quadrants:
    shown = shown[shown["quadrant"].isin(chosen_quadrants)]
shown = shown.reset_index(drop=True)

counts = projects["quadrant"].value_counts()
tiles = st.columns(4)
for tile, quadrant in zip(tiles, QUADRANTS, strict=True):
    with tile, st.container(border=True):
        ui.count_tile(st, ui.tr(f"quadrant_{quadrant}"), int(counts.get(quadrant, 0)))
        st.caption(ui.tr(f"quadrant_{quadrant}_help"))

if shown.empty:
    st.info(ui.tr("dual_no_match"))
    st.stop()

plotted = ui.largest_for_chart(shown)  # a city's 50,000 bubbles are no chart
if len(plotted) < len(shown):
    st.caption(ui.tr("chart_largest_only", shown=len(plotted), n=len(shown)))
clicked = ui.plotly(
    charts.dual_monitoring_chart(plotted, lang), key="dual_scatter", on_select="rerun"
)
points = clicked.selection.points if clicked is not None and hasattr(clicked, "selection") else []
if points and points[0].get("customdata"):
    # a click on a bubble opens that project (customdata[0] is its code)
    st.switch_page("pages/project.py", query_params={"project": points[0]["customdata"][0]})
st.caption(
    ui.tr(
        "dual_chart_note",
        pace=fmt.ratio(shown["pace_cutoff"].iloc[0]),
        output=fmt.pct(shown["output_cutoff"].iloc[0]),
    )
    + " "
    + ui.tr("dual_click_hint")
)

st.subheader(ui.tr("dual_table_heading"))
st.caption(ui.tr("pick_row_to_open"))
order = {q: i for i, q in enumerate(QUADRANTS)}
listed = (
    shown.assign(_q=shown["quadrant"].map(order), _d=-shown["difference"].abs())
    .sort_values(["_q", "_d", "project_code"], kind="stable")
    .reset_index(drop=True)
)
listed = ui.paged(
    listed,
    "dual_table",
    {
        "difference": ui.tr("col_difference"),
        "pace": ui.tr("col_pace"),
        "output_progress": ui.tr("col_output_progress"),
        "project_code": ui.tr("col_project_code"),
    },
)
table = pd.DataFrame(
    {
        ui.tr("col_project_code"): listed["project_code"],
        ui.tr("col_project"): listed["project_name"],
        ui.tr("col_department"): listed["department"],
        ui.tr("col_quadrant"): [ui.tr(f"quadrant_{q}") for q in listed["quadrant"]],
        ui.tr("col_budget_wan"): [ui.wan_value(v) for v in listed["adjusted_budget_yuan"]],
        ui.tr("col_rate"): [ui.pct_value(v) for v in listed["execution_rate"]],
        ui.tr("col_pace"): [ui.round_value(v, 2) for v in listed["pace"]],
        ui.tr("col_output_progress"): [ui.pct_value(v) for v in listed["output_progress"]],
        **ui.outputs_as_of_column(listed, month),
        ui.tr("col_difference"): [ui.round_value(v, 2) for v in listed["difference"]],
    }
)
event = ui.fitted_dataframe(
    table,
    hide_index=True,
    placeholder="—",
    on_select="rerun",
    selection_mode="single-row",
    key="dual_table",
    height=ui.table_height(len(table)),
    column_config={
        ui.tr("col_budget_wan"): st.column_config.NumberColumn(format="%,.2f"),
        ui.tr("col_rate"): st.column_config.NumberColumn(format="%.1f%%"),
        ui.tr("col_pace"): st.column_config.NumberColumn(format="%.2f"),
        ui.tr("col_output_progress"): st.column_config.NumberColumn(format="%.1f%%"),
        ui.tr("col_outputs_as_of"): st.column_config.TextColumn(help=ui.tr("outputs_as_of_help")),
        ui.tr("col_difference"): st.column_config.NumberColumn(
            format="%+.2f", help=ui.tr("col_difference_help")
        ),
    },
)
rows = event.selection.rows if event is not None else []
if rows:
    st.switch_page(
        "pages/project.py", query_params={"project": listed["project_code"].iloc[rows[0]]}
    )
