"""项目 One project on one screen: who and what it is, its money against time progress, its
indicators, its flags with how long they have lasted and their follow-up, its
self-evaluation, rectifications and costs. /project?project=CODE opens it directly."""

import pandas as pd
import streamlit as st

from perfbudget import data, ui
from perfbudget.ui import charts, fmt

ui.ensure_router()

year, month = ui.require_period()
scope = ui.current_scope()
lang = ui.lang()

st.title(ui.tr("project_title"))
projects = data.project_execution(year, month, scope)
if projects.empty:
    st.info(ui.tr("no_projects"), icon=":material/info:")
    st.stop()

# The project: from the URL (a link from another page, or a deep link), else the picker.
codes = list(projects["project_code"])
names = dict(zip(codes, projects["project_name"], strict=True))
wanted = st.query_params.get("project")
if wanted in names and st.session_state.get("_project_from_url") != wanted:
    st.session_state["project_pick"] = wanted
    st.session_state["_project_from_url"] = wanted


def _picked() -> None:
    code = st.session_state.get("project_pick")
    if code:
        st.query_params["project"] = code
        st.session_state["_project_from_url"] = code


code = st.selectbox(
    ui.tr("project_pick_label"),
    codes,
    key="project_pick",
    index=None,
    on_change=_picked,
    format_func=lambda c: f"{c} {names[c]}",
    placeholder=ui.tr("project_pick_placeholder"),
)
if wanted and wanted not in names:
    st.warning(
        ui.tr("project_not_found", code=ui.md_text(wanted), year=year), icon=":material/search_off:"
    )
if code is None:
    st.info(ui.tr("project_choose_hint"), icon=":material/search:")
    st.stop()

project = projects.set_index("project_code").loc[code]

# --- header --------------------------------------------------------------------------------
st.header(f"{ui.md_text(code)} {ui.md_text(project['project_name'])}")
detail = data.project_detail(year, month, code, scope)
review_row = detail.review
# the project's light, as in the execution table, the CLI report and the briefing
light = ui.lights_for(data.scope_lights(year, month, scope), "project", [code]).iloc[0]
with st.container(horizontal=True, gap="small"):
    ui.badge(
        light,
        ui.tr(
            "project_light",
            light=ui.tr("light_not_judged")
            if light == "grey" and bool(project["is_reported"])
            else ui.light_label(light),
        ),
    )
    ui.badge("grey", str(project["department"]))
    if isinstance(project["budget_type"], str):
        ui.badge("grey", project["budget_type"])
    if isinstance(project["category"], str):
        ui.badge("grey", project["category"])
    if bool(project["is_key"]):
        ui.badge("blue", ui.tr("project_is_key"))
    if bool(project["is_sensitive"]):
        ui.badge("red", ui.tr("project_is_sensitive"))
    if not review_row.empty:
        ui.badge("red", ui.tr("budget_review_mark"))
st.caption(ui.tr("as_of", year=year, month=month))

dual_row = detail.dual
tiles = st.columns([1.3, 1.3, 1, 1])  # money needs the room: up to 9,999.99万元
with tiles[0], st.container(border=True, height="stretch"):
    st.metric(ui.tr("kpi_budget"), fmt.money(project["adjusted_budget_yuan"], lang=lang))
    ui.badge(
        "grey", ui.tr("initial_budget", v=fmt.money(project["initial_budget_yuan"], lang=lang))
    )
with tiles[1], st.container(border=True, height="stretch"):
    st.metric(ui.tr("kpi_spent"), fmt.money(project["spent_yuan"], lang=lang))
    ui.badge("grey", ui.tr("kpi_spent_share", rate=fmt.pct(project["execution_rate"])))
with tiles[2], st.container(border=True, height="stretch"):
    st.metric(ui.tr("kpi_rate"), fmt.pct(project["execution_rate"]), help=ui.tr("pace_light_help"))
    ui.badge("grey", ui.tr("kpi_time_progress", tp=fmt.pct(project["time_progress"])))
    ui.badge("grey", ui.tr("kpi_pace", r=fmt.ratio(project["pace"])))
with tiles[3], st.container(border=True, height="stretch"):
    if dual_row.empty:
        st.metric(ui.tr("col_output_progress"), fmt.EMPTY)
        ui.badge("grey", ui.tr("project_no_output_progress"))
    else:
        st.metric(ui.tr("col_output_progress"), fmt.pct(dual_row["output_progress"].iloc[0]))
        ui.badge("grey", ui.tr(f"quadrant_{dual_row['quadrant'].iloc[0]}"))
        outputs_month = ui.older_month(dual_row["oldest_actual_month"].iloc[0], month)
        if outputs_month is not None:
            ui.badge("grey", ui.tr("output_progress_as_of", m=outputs_month))
if not bool(project["is_reported"]):
    last = project["last_reported_month"]
    st.warning(
        ui.tr(
            "project_not_reported",
            month=month,
            last=fmt.EMPTY if last != last or last is None else int(last),
        ),
        icon=":material/schedule:",
    )

# --- money against time ---------------------------------------------------------------------
curve = data.project_monthly_curve(year, code, scope)
if curve.empty or curve["spent_yuan"].isna().all():
    st.info(ui.tr("no_curve"))
else:
    ui.plotly(
        charts.project_curve_chart(curve, f"{code} {project['project_name']}", lang),
        key="project_page_curve",
    )

# --- flags, how long, follow-up ---------------------------------------------------------------
st.subheader(ui.tr("project_flags_heading"))
flags = detail.flags
mine = detail.followups
if flags.empty:
    st.success(ui.tr("project_no_flags"), icon=":material/check_circle:")
else:
    with st.spinner(ui.tr("since_computing")):
        flags = data.with_followup(flags, year, month, scope)
    styler, config = ui.warning_table(
        flags,
        extra={
            ui.tr("col_since"): [
                ui.since_label(m, n)
                for m, n in zip(flags["since_month"], flags["months_flagged"], strict=True)
            ],
            ui.tr("col_followup"): [ui.followup_status_label(s) for s in flags["followup_status"]],
        },
    )
    # the project and its department are in the header: not repeated on every row
    flag_columns = [
        c
        for c in ui.table_columns(styler)
        if c not in (ui.tr("col_project_code"), ui.tr("col_project"), ui.tr("col_department"))
    ]
    ui.fitted_dataframe(
        styler,
        column_config=config,
        hide_index=True,
        placeholder="—",
        row_height=ui.WRAPPING_ROW_HEIGHT,
        column_order=flag_columns,
        height=ui.table_height(len(flags), max_rows=8, row_height=ui.WRAPPING_ROW_HEIGHT),
    )
    rules = list(flags["rule"])
    rule = st.selectbox(
        ui.tr("followup_pick_flag"),
        rules,
        key="project_followup_rule",
        format_func=lambda r: (
            f"{ui.rule_label(r)} · {ui.severity_label(flags.set_index('rule').loc[r, 'severity'])}"
        ),
    )
    ui.followup_form(flags[flags["rule"] == rule].iloc[0], year, key=f"project_followup_{code}")
if not mine.empty:
    with st.expander(ui.tr("followup_history_heading", n=len(mine))):
        history = mine.assign(rule_name=[ui.rule_label(r) for r in mine["rule_id"]])
        table = ui.followup_history_table(history)
        table.insert(0, ui.tr("col_rule"), history["rule_name"].to_numpy())
        ui.fitted_dataframe(table, hide_index=True, placeholder="—")

# --- indicators ------------------------------------------------------------------------------
st.subheader(ui.tr("project_indicators_heading"))
indicators = detail.indicators
if indicators.empty:
    st.info(ui.tr("project_no_indicators"), icon=":material/flag:")
else:
    styler, config = ui.indicator_table(indicators, month)
    shown_columns = [
        c
        for c in ui.table_columns(styler)
        if c not in (ui.tr("col_project_code"), ui.tr("col_project"))
    ]
    ui.fitted_dataframe(
        styler,
        column_config=config,
        hide_index=True,
        placeholder="—",
        column_order=shown_columns,
        height=ui.table_height(len(indicators)),
    )

# --- self-evaluation, rectification, costs --------------------------------------------------
left, right = st.columns(2, gap="large")
with left:
    st.subheader(ui.tr("project_selfeval_heading"))
    row = detail.selfeval
    if row.empty:
        st.info(ui.tr("project_no_selfeval"), icon=":material/grading:")
    elif row["status"].iloc[0] != "complete":
        # not scored: never 差, never a budget review for its grade (docs/figures.md#self-evaluation-status)
        row = row.iloc[0]
        if row["status"] == "incomplete":
            st.info(
                ui.tr(
                    "selfeval_incomplete_note",
                    label=ui.selfeval_status(row["status"], row["missing_indicator_count"]),
                ),
                icon=":material/pending_actions:",
            )
        else:
            st.info(ui.tr("selfeval_none_note"), icon=":material/grading:")
        claimed = row["claimed_total_score"]
        if not (claimed != claimed or claimed is None) or isinstance(row["claimed_grade"], str):
            cols = st.columns(3)
            cols[0].metric(
                ui.tr("selfeval_claimed"),
                fmt.EMPTY if claimed != claimed or claimed is None else fmt.number(claimed, 2),
            )
            cols[1].metric(
                ui.tr("col_claimed_grade"),
                ui.grade_label(row["claimed_grade"]),
            )
    else:
        row = row.iloc[0]
        cols = st.columns(3)
        cols[0].metric(
            ui.tr("selfeval_score"),
            fmt.number(row["total_score"], 2),
            help=ui.tr("selfeval_score_help"),
        )
        cols[1].metric(ui.tr("selfeval_grade"), ui.grade_label(row["grade"]))
        claimed = row["claimed_total_score"]
        cols[2].metric(
            ui.tr("selfeval_claimed"),
            fmt.EMPTY if claimed != claimed or claimed is None else fmt.number(claimed, 2),
            **(
                {}
                if row["score_difference"] != row["score_difference"]
                else ui.signed_delta(
                    ui.tr("selfeval_difference", d=fmt.number(row["score_difference"], 2)),
                    row["score_difference"],
                )
            ),
        )
        if bool(row["is_over_scored"]):
            st.warning(
                ui.tr(
                    "selfeval_over_scored_note",
                    claimed=ui.md_text(ui.grade_label(row["claimed_grade"])),
                    grade=ui.md_text(ui.grade_label(row["grade"])),
                ),
                icon=":material/warning:",
            )
        if month < 12:
            st.caption(ui.tr("selfeval_year_end_note"))
    if not review_row.empty:
        reasons = str(review_row["reasons"].iloc[0]).split(",")
        st.error(
            ui.tr("budget_review_mark") + "：" + "；".join(ui.tr(f"review_{r}") for r in reasons),
            icon=":material/policy:",
        )
with right:
    st.subheader(ui.tr("project_rect_heading"))
    items = detail.rectification
    if items.empty:
        st.info(ui.tr("project_no_rect"), icon=":material/task_alt:")
    else:
        ui.fitted_dataframe(
            pd.DataFrame(
                {
                    ui.tr("col_issue"): items["issue"].to_numpy(),
                    ui.tr("col_feedback_date"): items["feedback_date"].to_numpy(),
                    ui.tr("col_due_date"): items["due_date"].to_numpy(),
                    ui.tr("col_done_date"): items["done_date"].to_numpy(),
                    ui.tr("col_status"): [ui.tr(f"rect_status_{s}") for s in items["status"]],
                    ui.tr("col_days_overdue"): items["days_overdue"].to_numpy(),
                }
            ),
            hide_index=True,
            placeholder="—",
        )

st.subheader(ui.tr("project_costs_heading"))
costs = detail.costs
if costs.empty:
    st.info(ui.tr("project_no_costs"), icon=":material/calculate:")
else:
    first = costs.iloc[0]
    unit = first["output_unit"] if isinstance(first["output_unit"], str) else ""
    reference = first["reference_unit_cost_yuan"]
    cols = st.columns(4)
    cols[0].metric(ui.tr("cost_total"), fmt.money(first["total_cost_yuan"], lang=lang))
    cols[1].metric(
        ui.tr("cost_output"), f"{fmt.number(first['output_quantity'])} {ui.md_text(unit)}"
    )
    per_unit = ui.tr("cost_per_unit", unit=ui.md_text(unit))
    cols[2].metric(
        ui.tr("with_unit", label=ui.tr("cost_unit"), unit=per_unit),
        fmt.number(first["unit_cost_yuan"], 2),
    )
    if reference is None or reference != reference:
        cols[3].metric(ui.tr("cost_reference"), fmt.EMPTY)
        st.caption(ui.tr("cost_no_reference"))
    else:
        basis = (
            ui.tr("cost_standard")
            if first["reference_basis"] == "standard"
            else ui.tr("cost_peer_median", n=int(first["peer_count"]))
        )
        # below the reference is good (green ↓); above, the colour of its cost flag
        cols[3].metric(
            ui.tr("with_unit", label=basis, unit=per_unit),
            fmt.number(reference, 2),
            **ui.cost_deviation_delta(
                first["deviation"], detail.flag_severity("cost_above_reference")
            ),
        )
    ui.fitted_dataframe(
        pd.DataFrame(
            {
                ui.tr("col_cost_item"): costs["cost_item"].to_numpy(),
                ui.tr("col_amount_wan"): [ui.wan_value(v) for v in costs["amount_yuan"]],
                ui.tr("col_share"): [ui.pct_value(v) for v in costs["item_share"]],
            }
        ),
        hide_index=True,
        placeholder="—",
        column_config={
            ui.tr("col_amount_wan"): st.column_config.NumberColumn(format="%,.2f"),
            ui.tr("col_share"): st.column_config.NumberColumn(format="%.1f%%"),
        },
    )
