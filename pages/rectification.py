"""整改 Rectification tracker: every item as it stands at the chosen month — open, done, done
late, overdue with days — by department, with the 30-day rule explained."""

import pandas as pd
import streamlit as st

from perfbudget import data, ui
from perfbudget.ui import charts, fmt

ui.ensure_router()

year, month = ui.require_period()
scope = ui.current_scope()
lang = ui.lang()

st.title(ui.tr("rect_title"))
due_days = int(data.threshold("rectification_overdue", "due_days"))
st.caption(ui.tr("as_of", year=year, month=month) + " · " + ui.tr("rect_intro", days=due_days))

items = data.rectification_items(year, month, scope)
if items.empty:
    st.info(ui.tr("rect_empty"), icon=":material/task_alt:")
    st.stop()

STATUSES = tuple(data.RECTIFICATION_LIGHTS)
summary = data.rectification_summary(year, month, scope)
tiles = st.columns(4)
for tile, status in zip(tiles, STATUSES, strict=True):
    with tile, st.container(border=True):
        st.metric(ui.tr(f"rect_status_{status}"), ui.tr("n_items", n=summary.counts[status]))
        st.caption(ui.tr(f"rect_status_{status}_help", days=due_days))
if summary.overdue:
    st.error(
        ui.tr("rect_overdue_line", n=summary.overdue, max=summary.max_days_overdue),
        icon=":material/alarm:",
    )

departments = data.department_rectification(year, month, scope)
# the chart over the table, each the page's width: beside each other the table's columns
# were cut off at 1280
ui.plotly(charts.rectification_bars(departments, lang, limit=ui.CHART_DEPARTMENTS), key="rect_bars")
st.subheader(ui.tr("rect_by_department"))
by_department = pd.DataFrame(
    {
        ui.tr("col_department"): departments["department"],
        ui.tr("col_items"): departments["item_count"].astype(int),
        ui.tr("rect_status_overdue"): departments["overdue_count"].astype(int),
        ui.tr("rect_status_open"): departments["open_count"].astype(int),
        ui.tr("col_on_time_rate"): [ui.pct_value(v) for v in departments["on_time_rate"]],
        ui.tr("col_max_days_overdue"): departments["max_days_overdue"],
    }
)
config, row_height = ui.fit_columns(
    by_department,
    {
        ui.tr("col_on_time_rate"): st.column_config.NumberColumn(
            format="%.1f%%", help=ui.tr("col_on_time_rate_help")
        )
    },
)
st.dataframe(
    by_department,
    hide_index=True,
    placeholder="—",
    row_height=row_height,
    height=ui.table_height(len(departments), row_height=row_height or 35),
    column_config=config,
)

st.subheader(ui.tr("rect_items_heading"))
filters = st.columns(2)
names = dict(zip(items["department_code"], items["department"], strict=False))
with filters[0]:
    chosen_departments = st.multiselect(
        ui.tr("filter_department"),
        sorted(names),
        key="rect_department",
        format_func=lambda c: f"{c} {names[c]}",
        placeholder=ui.tr("filter_all"),
    )
with filters[1]:
    chosen_status = st.multiselect(
        ui.tr("filter_status"),
        list(STATUSES),
        key="rect_status",
        format_func=lambda s: ui.tr(f"rect_status_{s}"),
        placeholder=ui.tr("filter_all"),
    )
shown = items
if chosen_departments:
    shown = shown[shown["department_code"].isin(chosen_departments)]
if chosen_status:
    shown = shown[shown["status"].isin(chosen_status)]
order = {s: i for i, s in enumerate(STATUSES)}
shown = (
    shown.assign(_s=shown["status"].map(order))
    .sort_values(["_s", "days_overdue"], ascending=[True, False], kind="stable")
    .reset_index(drop=True)
)
if shown.empty:
    st.info(ui.tr("rect_no_match"))
    st.stop()
table = pd.DataFrame(
    {
        ui.tr("col_status"): [ui.tr(f"rect_status_{s}") for s in shown["status"]],
        ui.tr("col_project_code"): shown["project_code"],
        ui.tr("col_project"): shown["project_name"],
        ui.tr("col_department"): shown["department"],
        ui.tr("col_issue"): shown["issue"],
        ui.tr("col_feedback_date"): shown["feedback_date"],
        ui.tr("col_due_date"): shown["due_date"],
        ui.tr("col_done_date"): shown["done_date"],
        ui.tr("col_days_open"): shown["days_open"],
        ui.tr("col_days_overdue"): [d if d else None for d in shown["days_overdue"]],
    }
)
codes = pd.Series([data.RECTIFICATION_LIGHTS[s] for s in shown["status"]], dtype=object)
styler = ui.style_lights(table, [ui.tr("col_status")], {ui.tr("col_status"): codes})
config, row_height = ui.fit_columns(styler)
event = st.dataframe(
    styler,
    hide_index=True,
    placeholder=fmt.EMPTY,
    on_select="rerun",
    selection_mode="single-row",
    key="rect_items_table",
    row_height=row_height,
    height=ui.table_height(len(table), row_height=row_height or 35),
    column_config=config,
)
if event.selection.rows:
    st.switch_page(
        "pages/project.py",
        query_params={"project": shown["project_code"].iloc[event.selection.rows[0]]},
    )
st.caption(ui.tr("pick_row_to_open"))
