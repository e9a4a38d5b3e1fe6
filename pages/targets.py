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

scorecard = data.project_target_scorecard(year, month, scope)
# a city has 480,000 indicators of 50,000 projects: the filters' choices and the table's page
# are read from the database (data.table_window), never the whole table
INDICATORS = "indicator_attainment"

filters = st.columns(3)
department_rows = data.table_choices(
    INDICATORS, year, month, scope, ("department_code", "department")
)
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
in_departments: data.Where = (
    (("department_code", tuple(chosen_departments)),) if chosen_departments else ()
)
project_rows = data.table_choices(
    INDICATORS, year, month, scope, ("project_code", "project_name"), in_departments
)
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

where: data.Where = in_departments
if chosen_projects:
    where += (("project_code", tuple(chosen_projects)),)
if chosen_lights:
    where += (("light", tuple(chosen_lights)),)
cards = scorecard
if where:  # the scorecards of the projects whose indicators are shown
    shown_projects = data.table_choices(INDICATORS, year, month, scope, ("project_code",), where)
    cards = scorecard[scorecard["project_code"].isin(shown_projects["project_code"])]

if not data.table_window(INDICATORS, year, month, scope, where, None, 0, 0)[1]:
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
config, row_height = ui.fit_columns(styler, config)
st.dataframe(
    styler,
    column_config=config,
    hide_index=True,
    placeholder="—",
    row_height=row_height,
    height=ui.table_height(len(cards), row_height=row_height or 35),
)
if not all_cards.empty:
    ui.plotly(
        charts.indicator_light_bars(all_cards, lang),
        key="light_bars",
        as_of=ui.tr("as_of", year=year, month=month),
    )

st.subheader(ui.tr("indicators_heading"))
shown, _ = ui.paged_window(
    lambda order, offset, limit: data.table_window(
        INDICATORS, year, month, scope, where, order, offset, limit
    ),
    "targets_indicators",
    {
        "progress": ui.tr("col_progress"),
        "attainment": ui.tr("col_attainment"),
        "project_code": ui.tr("col_project_code"),
    },
)
styler, config = ui.indicator_table(shown, month)
config, row_height = ui.fit_columns(styler, config)
st.dataframe(
    styler,
    column_config=config,
    hide_index=True,
    placeholder="—",
    row_height=row_height,
    height=ui.table_height(len(shown), row_height=row_height or 35),
)
