"""信息公开 Disclosure: per department, the projects of 500万元 or more whose targets are not
disclosed and the disclosed share of project spending against the 50% line. Sensitive
(涉密) projects are never disclosed and are left out — the page says how many."""

import pandas as pd
import streamlit as st

from perfbudget import data, ui
from perfbudget.ui import charts, fmt

ui.ensure_router()

year, month = ui.require_period()
scope = ui.current_scope()
lang = ui.lang()

st.title(ui.tr("disclosure_title"))
departments = data.department_disclosure(year, scope)
min_budget = data.threshold("disclosure_gap", "min_budget_yuan")
min_coverage = data.threshold("disclosure_gap", "min_coverage")
st.caption(
    ui.tr(
        "disclosure_intro",
        year=year,
        budget=fmt.money(min_budget, lang=lang),
        coverage=fmt.pct(min_coverage, 0),
    )
)

summary = data.disclosure_summary(year, month, scope)
if summary.sensitive_projects:
    st.info(
        ui.tr(
            "disclosure_sensitive_note",
            n=summary.sensitive_projects,
            d=summary.sensitive_departments,
        ),
        icon=":material/lock:",
    )

if departments.empty:
    st.info(ui.tr("disclosure_empty"), icon=":material/public:")
    st.stop()

undisclosed = summary.large_undisclosed
tiles = st.columns(3)
tiles[0].metric(
    ui.tr("disclosure_departments_below"),
    ui.tr("n_departments", n=summary.departments_below),
    help=ui.tr("disclosure_departments_below_help", coverage=fmt.pct(min_coverage, 0)),
)
tiles[1].metric(ui.tr("disclosure_large_undisclosed"), ui.tr("n_projects", n=len(undisclosed)))
tiles[2].metric(
    ui.tr("disclosure_overall"),
    fmt.EMPTY if summary.coverage is None else fmt.pct(summary.coverage),
    help=ui.tr("disclosure_overall_help"),
)

# the chart over the table, each the page's width: beside each other the table's columns
# were cut off at 1280
ui.plotly(charts.disclosure_coverage_bars(departments, lang), key="disclosure_bars")
st.subheader(ui.tr("disclosure_large_heading"))
if undisclosed.empty:
    st.success(ui.tr("disclosure_all_large_disclosed"), icon=":material/check_circle:")
else:
    ui.fitted_dataframe(
        pd.DataFrame(
            {
                ui.tr("col_project_code"): undisclosed["project_code"],
                ui.tr("col_project"): undisclosed["project_name"],
                ui.tr("col_department"): undisclosed["department"],
                ui.tr("col_initial_budget_wan"): [
                    ui.wan_value(v) for v in undisclosed["initial_budget_yuan"]
                ],
            }
        ),
        hide_index=True,
        placeholder="—",
        height=ui.table_height(len(undisclosed)),
        column_config={
            ui.tr("col_initial_budget_wan"): st.column_config.NumberColumn(format="%,.2f")
        },
    )

st.subheader(ui.tr("disclosure_table_heading"))
listed = departments.sort_values(["meets_coverage", "coverage"], kind="stable").reset_index(
    drop=True
)
table = pd.DataFrame(
    {
        ui.tr("col_department_code"): listed["department_code"],
        ui.tr("col_department"): listed["department"],
        ui.tr("col_projects"): listed["project_count"].astype(int),
        ui.tr("col_large_projects"): listed["large_project_count"].astype(int),
        ui.tr("col_large_undisclosed"): listed["large_undisclosed_count"].astype(int),
        ui.tr("col_disclosed_wan"): [ui.wan_value(v) for v in listed["disclosed_budget_yuan"]],
        ui.tr("col_initial_total_wan"): [ui.wan_value(v) for v in listed["total_budget_yuan"]],
        ui.tr("col_coverage"): [ui.pct_value(v) for v in listed["coverage"]],
        ui.tr("col_meets"): [
            ui.tr("yes") if bool(v) else ui.tr("no") for v in listed["meets_coverage"]
        ],
    }
)
codes = pd.Series(["green" if bool(v) else "red" for v in listed["meets_coverage"]], dtype=object)
ui.fitted_dataframe(
    ui.style_lights(table, [ui.tr("col_meets")], {ui.tr("col_meets"): codes}),
    hide_index=True,
    placeholder="—",
    height=ui.table_height(len(table)),
    column_config={
        ui.tr("col_disclosed_wan"): st.column_config.NumberColumn(format="%,.2f"),
        ui.tr("col_initial_total_wan"): st.column_config.NumberColumn(format="%,.2f"),
        ui.tr("col_coverage"): st.column_config.NumberColumn(format="%.1f%%"),
    },
)
