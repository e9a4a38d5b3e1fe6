"""预算评审 Budget request review (预算安排核成本, 结果应用): next year's 预算申请 checked against
cost standards and this year's results — per request the requested and reference unit cost,
the caps that apply, last year's grade, the suggested amount and its reasons; the totals by
department; the whole as a formatted .xlsx to send back to the departments. Figures:
docs/figures.md#budget-request-review (perfbudget.budget_review). Not the self-evaluation
page's 下年预算重点审核 mark, which is a year's results alone."""

import pandas as pd
import streamlit as st

from perfbudget import data, ui
from perfbudget.ui import fmt

ui.ensure_router()

scope = ui.current_scope()
lang = ui.lang()

st.title(ui.tr("breq_title"))
years = data.budget_request_years()
if not years:
    st.info(ui.tr("breq_empty"), icon=":material/request_quote:")
    st.stop()

year = st.selectbox(ui.tr("breq_pick_year"), years, key="breq_year")
st.caption(ui.tr("breq_intro", year=year, last=year - 1))
review = data.budget_request_review(year, scope)
if review.empty:
    st.info(ui.tr("breq_none_in_scope", year=year), icon=":material/request_quote:")
    st.stop()

totals = data.budget_request_totals(review)
requested = sum(totals["requested_amount_yuan"])
suggested = sum(totals["suggested_amount_yuan"])
cut_count = int(review["is_cut"].sum())
tiles = st.columns(4)
tiles[0].metric(
    ui.tr("breq_requested"),
    fmt.money(requested, lang=lang),
    help=ui.tr("breq_requests_n", n=len(review)),
)
tiles[1].metric(ui.tr("breq_suggested"), fmt.money(suggested, lang=lang))
tiles[2].metric(
    ui.tr("breq_difference"),
    fmt.money(requested - suggested, lang=lang),
    help=ui.tr("breq_difference_help"),
)
tiles[3].metric(ui.tr("breq_cut_count"), ui.tr("n_projects", n=cut_count))

ui.download(
    ui.tr("breq_download"),
    lambda: data.budget_review_xlsx(review, year, scope, lang),
    file_name=ui.tr("breq_xlsx_file", year=year),
    what=f"budget review {year} ({len(review)} requests)",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    key="breq_xlsx",
)

st.subheader(ui.tr("breq_totals_heading"))
st.dataframe(
    pd.DataFrame(
        {
            ui.tr("col_department_code"): totals["department_code"],
            ui.tr("col_department"): totals["department"],
            ui.tr("col_projects"): totals["request_count"].astype(int),
            ui.tr("col_requested_wan"): [ui.wan_value(v) for v in totals["requested_amount_yuan"]],
            ui.tr("col_suggested_wan"): [ui.wan_value(v) for v in totals["suggested_amount_yuan"]],
            ui.tr("col_cut_wan"): [ui.wan_value(v) for v in totals["difference_yuan"]],
        }
    ),
    hide_index=True,
    placeholder="—",
    height=ui.table_height(len(totals)),
    column_config={
        key: st.column_config.NumberColumn(format="%,.2f")
        for key in (ui.tr("col_requested_wan"), ui.tr("col_suggested_wan"), ui.tr("col_cut_wan"))
    },
)

st.subheader(ui.tr("breq_table_heading"))
only_cut = st.toggle(ui.tr("breq_only_cut"), key="breq_only_cut")
shown = review[review["is_cut"]] if only_cut else review
reasons = shown["reasons"] if lang == "zh" else shown["reasons_en"]
table = pd.DataFrame(
    {
        ui.tr("col_project_code"): shown["project_code"],
        ui.tr("col_project"): shown["project_name"],
        ui.tr("col_department"): shown["department"],
        ui.tr("col_requested_wan"): [ui.wan_value(v) for v in shown["requested_amount_yuan"]],
        ui.tr("col_planned_quantity"): shown["planned_output_quantity"],
        ui.tr("col_requested_unit_cost"): shown["requested_unit_cost_yuan"],
        ui.tr("col_reference_unit_cost"): shown["reference_unit_cost_yuan"],
        ui.tr("col_reference_basis"): [ui.tr(f"breq_basis_{b}") for b in shown["reference_basis"]],
        ui.tr("col_cost_cap_wan"): [ui.wan_value(v) for v in shown["cost_cap_yuan"]],
        ui.tr("col_previous_spent_wan"): [ui.wan_value(v) for v in shown["previous_spent_yuan"]],
        ui.tr("col_previous_rate"): [ui.pct_value(v) for v in shown["previous_execution_rate"]],
        ui.tr("col_previous_balance"): [ui.pct_value(v) for v in shown["previous_balance_rate"]],
        ui.tr("col_result_cap_wan"): [ui.wan_value(v) for v in shown["result_cap_yuan"]],
        ui.tr("col_last_grade"): shown["grade"],
        ui.tr("col_suggested_wan"): [ui.wan_value(v) for v in shown["suggested_amount_yuan"]],
        ui.tr("col_review_reasons"): reasons,
    }
)
wan = st.column_config.NumberColumn(format="%,.2f")
per_unit = st.column_config.NumberColumn(format="%,.4g")
st.dataframe(
    table,
    hide_index=True,
    placeholder="—",
    height=ui.table_height(len(table)),
    column_config={
        ui.tr("col_requested_wan"): wan,
        ui.tr("col_cost_cap_wan"): wan,
        ui.tr("col_result_cap_wan"): wan,
        ui.tr("col_suggested_wan"): wan,
        ui.tr("col_previous_spent_wan"): wan,
        ui.tr("col_previous_rate"): st.column_config.NumberColumn(format="%.1f%%"),
        ui.tr("col_requested_unit_cost"): per_unit,
        ui.tr("col_reference_unit_cost"): per_unit,
        ui.tr("col_previous_balance"): st.column_config.NumberColumn(format="%.1f%%"),
        ui.tr("col_review_reasons"): st.column_config.TextColumn(width="large"),
    },
)
