"""绩效目标 Performance targets: a scorecard per project and every indicator's attainment and
light, filtered by department, project and light; qualitative actuals are shown as written."""

import streamlit as st

from perfbudget import data, ui
from perfbudget.ui import charts

ui.ensure_router()

year, month = ui.require_period()
scope = ui.current_scope()
lang = ui.lang()

st.title(ui.tr("targets_title"))
st.caption(ui.tr("as_of", year=year, month=month) + " · " + ui.tr("targets_intro"))

indicators = data.indicator_attainment(year, month, scope)
scorecard = data.project_target_scorecard(year, month, scope)

filters = st.columns(3)
# the choices from the distinct rows: a city has 480,000 indicators of 50,000 projects
department_rows = indicators[["department_code", "department"]].drop_duplicates("department_code")
departments = dict(
    zip(department_rows["department_code"], department_rows["department"], strict=True)
)
with filters[0]:
    chosen_departments = st.multiselect(
        ui.tr("filter_department"),
        list(departments),
        key="targets_department",
        format_func=lambda code: f"{code} {departments[code]}",
        placeholder=ui.tr("filter_all"),
    )
in_departments = (
    indicators[indicators["department_code"].isin(chosen_departments)]
    if chosen_departments
    else indicators
)
project_rows = in_departments[["project_code", "project_name"]].drop_duplicates("project_code")
projects = dict(zip(project_rows["project_code"], project_rows["project_name"], strict=True))
with filters[1]:
    # a list of tens of thousands of projects is no choice: pick departments first
    too_many = len(projects) > ui.MAX_CHOICES
    chosen_projects = st.multiselect(
        ui.tr("filter_project"),
        [] if too_many else list(projects),
        key="targets_project",
        format_func=lambda code: f"{code} {projects[code]}",
        placeholder=ui.tr("filter_project_too_many", n=len(projects))
        if too_many
        else ui.tr("filter_all"),
        disabled=too_many,
    )
with filters[2]:
    chosen_lights = st.multiselect(
        ui.tr("filter_light"),
        ["red", "yellow", "green", "blue", "grey"],
        key="targets_light",
        format_func=ui.light_label,
        placeholder=ui.tr("filter_all"),
    )

shown = (
    in_departments[in_departments["project_code"].isin(chosen_projects)]
    if chosen_projects
    else in_departments
)
cards = (
    scorecard[scorecard["project_code"].isin(shown["project_code"].unique())]
    if chosen_projects or chosen_departments
    else scorecard
)
if chosen_lights:
    shown = shown[shown["light"].isin(chosen_lights)]
if chosen_lights:
    cards = cards[cards["project_code"].isin(shown["project_code"])]

if shown.empty:
    st.info(ui.tr("no_indicators"), icon=":material/flag:")
    st.stop()

st.subheader(ui.tr("scorecard_heading"))
all_cards = cards
cards = ui.paged(
    cards,
    "targets_cards",
    {
        "weighted_attainment": ui.tr("col_weighted_attainment"),
        "red_count": ui.tr("col_red"),
        "output_progress": ui.tr("col_output_progress"),
        "project_code": ui.tr("col_project_code"),
    },
)
styler, config = ui.scorecard_table(cards, month)
st.dataframe(
    styler,
    column_config=config,
    hide_index=True,
    placeholder="—",
    height=ui.table_height(len(cards)),
)
if not all_cards.empty:
    ui.plotly(
        charts.indicator_light_bars(all_cards, lang),
        key="light_bars",
        as_of=ui.tr("as_of", year=year, month=month),
    )

st.subheader(ui.tr("indicators_heading"))
shown = ui.paged(
    shown,
    "targets_indicators",
    {
        "progress": ui.tr("col_progress"),
        "attainment": ui.tr("col_attainment"),
        "project_code": ui.tr("col_project_code"),
    },
)
styler, config = ui.indicator_table(shown, month)
st.dataframe(
    styler,
    column_config=config,
    hide_index=True,
    placeholder="—",
    height=ui.table_height(len(shown)),
)
