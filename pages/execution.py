"""预算执行 Budget execution: district → department → project, each row against time progress
with its pace and its light (data.scope_lights: a project's is the worst of its performance
flags, a department's or district's the worst of what it holds), and one project's monthly
cumulative curve."""

import streamlit as st

from perfbudget import data, ui
from perfbudget.ui import charts, fmt

ui.ensure_router()

year, month = ui.require_period()
scope = ui.current_scope()
lang = ui.lang()

st.title(ui.tr("execution_title"))
st.caption(ui.tr("as_of", year=year, month=month) + " · " + ui.tr("execution_intro"))
st.caption(ui.tr("execution_light_note"))
lights = data.scope_lights(year, month, scope)

# District: the top of the drill-down.
st.subheader(ui.tr("district_heading"))
districts = data.district_execution(year, month, scope)
districts = districts.assign(
    red_project_count=ui.lights_for(
        lights, "district", districts["district"], "red_project_count", 0
    ).to_numpy()
)
styler, config = ui.execution_table(
    districts,
    {
        "district": ui.tr("col_district"),
        "department_count": ui.tr("col_departments"),
        "project_count": ui.tr("col_projects"),
    },
    ui.lights_for(lights, "district", districts["district"]),
    extra={"red_project_count": ui.tr("col_red_projects")},
    with_time_progress=True,
)
config, row_height = ui.fit_columns(styler, config)
st.dataframe(styler, column_config=config, hide_index=True, placeholder="—", row_height=row_height)

# Departments.
st.subheader(ui.tr("department_heading"))
departments = data.department_execution(year, month, scope)
if not districts.empty:
    st.caption(ui.tr("kpi_time_progress", tp=fmt.pct(districts["time_progress"].iloc[0])))
if departments.empty:
    st.info(ui.tr("no_departments"))
    st.stop()
departments = departments.assign(
    red_project_count=ui.lights_for(
        lights, "department", departments["department_code"], "red_project_count", 0
    ).to_numpy()
)
styler, config = ui.execution_table(
    departments,
    {
        "department_code": ui.tr("col_department_code"),
        "department": ui.tr("col_department"),
        "project_count": ui.tr("col_projects"),
    },
    ui.lights_for(lights, "department", departments["department_code"]),
    extra={"red_project_count": ui.tr("col_red_projects")},
)
config, row_height = ui.fit_columns(styler, config)
st.dataframe(styler, column_config=config, hide_index=True, placeholder="—", row_height=row_height)

# Projects of the chosen department (all departments by default).
st.subheader(ui.tr("project_heading"))
names = dict(zip(departments["department_code"], departments["department"], strict=True))
department = st.selectbox(
    ui.tr("choose_department"),
    [None, *names],
    key="exec_department",
    format_func=lambda code: ui.tr("all_departments") if code is None else f"{code} {names[code]}",
)
projects = data.project_execution(year, month, scope.narrowed_to(department))
if projects.empty:
    st.info(ui.tr("no_projects"))
    st.stop()
# every project of the choice for the picker below; one page of them for the table
chosen_projects = projects
# a city has 50,000 projects: one page of them goes to the browser
projects = ui.paged(
    projects,
    f"exec_projects_{department or 'all'}",
    {
        "execution_rate": ui.tr("col_rate"),
        "pace": ui.tr("col_pace"),
        "gap_pp": ui.tr("col_gap_pp"),
        "adjusted_budget_yuan": ui.tr("col_budget_wan"),
        "project_code": ui.tr("col_project_code"),
    },
)
styler, config = ui.execution_table(
    projects,
    {
        "project_code": ui.tr("col_project_code"),
        "project_name": ui.tr("col_project"),
        "department": ui.tr("col_department"),
    },
    ui.lights_for(lights, "project", projects["project_code"]),
    # the budget type is on the project page: eleven columns did not fit 1280
    extra={"last_reported_month": ui.tr("col_last_month")},
)
# the light beside the project's name: a wide table would scroll it out of sight
first = [ui.tr("col_project_code"), ui.tr("col_project"), ui.tr("col_light")]
order = first + [c for c in ui.table_columns(styler) if c not in first]
config, row_height = ui.fit_columns(styler, config, order)
event = st.dataframe(
    styler,
    column_config=config,
    hide_index=True,
    placeholder="—",
    on_select="rerun",
    selection_mode="single-row",
    key=f"exec_projects_{department or 'all'}",
    column_order=order,
    row_height=row_height,
)

# The monthly curve of one project: a row picked in the table, or the selectbox (every
# project of the department, not only the table's page).
codes = list(chosen_projects["project_code"])
project_names = dict(zip(codes, chosen_projects["project_name"], strict=True))
picked_rows = event.selection.rows if event is not None else []
if picked_rows:
    picked = projects["project_code"].iloc[picked_rows[0]]
    if st.session_state.get("_exec_last_pick") != picked:
        st.session_state["exec_project"] = picked
        st.session_state["_exec_last_pick"] = picked
if st.session_state.get("exec_project") not in codes:
    st.session_state["exec_project"] = codes[0]
project = st.selectbox(
    ui.tr("choose_project"),
    codes,
    key="exec_project",
    format_func=lambda code: f"{code} {project_names[code]}",
)
curve = data.project_monthly_curve(year, project, scope)
if curve.empty or curve["spent_yuan"].isna().all():
    st.info(ui.tr("no_curve"))
else:
    ui.plotly(
        charts.project_curve_chart(curve, f"{project} {project_names[project]}", lang),
        key="project_curve",
        as_of=ui.tr("as_of", year=year, month=month),
    )
# everything else about it (indicators, warnings and follow-up, self-evaluation, costs)
ui.project_link(project)
