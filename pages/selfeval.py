"""绩效自评 Self-evaluation: the grades by department, the self-evaluations that claim a
better grade than their figures give, those not scored (不完整 / 无自评, never 差), and the
projects whose results put next year's budget under review (下年预算重点审核)."""

import pandas as pd
import streamlit as st

from perfbudget import data, ui
from perfbudget.ui import charts, fmt

ui.ensure_router()

year, month = ui.require_period()
scope = ui.current_scope()
lang = ui.lang()

st.title(ui.tr("selfeval_title"))
st.caption(ui.tr("selfeval_intro", year=year))
if month < 12:
    st.info(ui.tr("selfeval_not_year_end", year=year, month=month), icon=":material/event:")

scores = data.project_selfeval(year, scope)
if scores.empty:
    st.info(ui.tr("selfeval_empty"), icon=":material/grading:")
    st.stop()

# only a complete self-evaluation is graded (docs/figures.md#self-evaluation-status)
complete = scores["status"] == "complete"
graded = scores[complete].dropna(subset=["grade"])
unscored = scores[~complete]
incomplete_count = int((scores["status"] == "incomplete").sum())
none_count = int((scores["status"] == "none").sum())
unscored_counts = ui.tr("selfeval_count_separator").join(
    ui.tr(key, n=n)
    for key, n in (
        ("selfeval_count_incomplete", incomplete_count),
        ("selfeval_count_none", none_count),
    )
    if n
)
counts = graded["grade"].value_counts()
over = scores[scores["is_over_scored"].fillna(False).astype(bool)]
tiles = st.columns(5)
for tile, grade in zip(tiles, ui.vocab.GRADES, strict=False):
    with tile, st.container(border=True):
        st.metric(ui.tr("grade_n", g=ui.grade_label(grade)), f"{int(counts.get(grade, 0)):,}")
with tiles[4], st.container(border=True):
    st.metric(
        ui.tr("selfeval_over_scored"), f"{len(over):,}", help=ui.tr("selfeval_over_scored_help")
    )

if graded.empty:
    if unscored_counts:
        st.info(
            ui.tr("selfeval_none_complete", others=unscored_counts),
            icon=":material/pending_actions:",
        )
else:
    department_count = graded["department_code"].nunique()
    show_all = department_count <= ui.CHART_DEPARTMENTS or st.toggle(
        ui.tr("show_all_departments", n=department_count), key="selfeval_all_departments"
    )
    ui.plotly(
        charts.grade_distribution_bars(
            graded, lang, limit=None if show_all else ui.CHART_DEPARTMENTS
        ),
        key="grade_bars",
    )
    if not unscored.empty:
        st.caption(ui.tr("selfeval_graded_caption", n=len(graded), others=unscored_counts))

st.subheader(ui.tr("selfeval_over_heading"))
st.caption(ui.tr("selfeval_over_intro"))
if over.empty:
    st.success(ui.tr("selfeval_none_over"), icon=":material/check_circle:")
else:
    over = over.sort_values("score_difference", ascending=False, kind="stable").reset_index(
        drop=True
    )
    over = ui.paged(over, "selfeval_over_table")
    table = pd.DataFrame(
        {
            ui.tr("col_project_code"): over["project_code"],
            ui.tr("col_project"): over["project_name"],
            ui.tr("col_department"): over["department"],
            ui.tr("col_claimed_score"): over["claimed_total_score"],
            ui.tr("col_claimed_grade"): over["claimed_grade"].map(ui.grade_label),
            ui.tr("col_computed_score"): over["total_score"],
            ui.tr("col_computed_grade"): over["grade"].map(ui.grade_label),
            ui.tr("col_score_difference"): over["score_difference"],
            ui.tr("col_adjusted_count"): over["qualitative_adjusted_count"].astype(int),
        }
    )
    event = ui.fitted_dataframe(
        table,
        hide_index=True,
        placeholder="—",
        on_select="rerun",
        selection_mode="single-row",
        key="selfeval_over_table",
        height=ui.table_height(len(table)),
        column_config={
            ui.tr("col_claimed_score"): st.column_config.NumberColumn(format="%.2f"),
            ui.tr("col_computed_score"): st.column_config.NumberColumn(format="%.2f"),
            ui.tr("col_score_difference"): st.column_config.NumberColumn(
                format="%+.2f", help=ui.tr("col_score_difference_help")
            ),
            ui.tr("col_adjusted_count"): st.column_config.NumberColumn(
                help=ui.tr("col_adjusted_count_help")
            ),
        },
    )
    if event.selection.rows:
        st.switch_page(
            "pages/project.py",
            query_params={"project": over["project_code"].iloc[event.selection.rows[0]]},
        )
    st.caption(ui.tr("pick_row_to_open"))

unscored_labels = {
    c: ui.selfeval_status(s, n)
    for c, s, n in zip(
        unscored["project_code"],
        unscored["status"],
        unscored["missing_indicator_count"],
        strict=True,
    )
}
if not unscored.empty:
    st.subheader(ui.tr("selfeval_unscored_heading"))
    st.caption(ui.tr("selfeval_unscored_intro"))
    unscored = (
        unscored.assign(_order=(unscored["status"] != "incomplete").astype(int))
        .sort_values(["_order", "department_code", "project_code"], kind="stable")
        .reset_index(drop=True)
    )
    table = pd.DataFrame(
        {
            ui.tr("col_project_code"): unscored["project_code"],
            ui.tr("col_project"): unscored["project_name"],
            ui.tr("col_department"): unscored["department"],
            ui.tr("col_selfeval_status"): [unscored_labels[c] for c in unscored["project_code"]],
            ui.tr("col_claimed_score"): unscored["claimed_total_score"],
            ui.tr("col_claimed_grade"): unscored["claimed_grade"].map(ui.grade_label),
        }
    )
    ui.fitted_dataframe(
        table,
        hide_index=True,
        placeholder="—",
        key="selfeval_unscored_table",
        height=ui.table_height(len(table)),
        column_config={
            ui.tr("col_claimed_score"): st.column_config.NumberColumn(format="%.2f"),
            ui.tr("col_selfeval_status"): st.column_config.TextColumn(width="medium"),
        },
    )

st.subheader(ui.tr("budget_review_heading"))
st.caption(ui.tr("budget_review_intro"))
review = data.project_budget_review(year, scope)
if review.empty:
    st.success(ui.tr("budget_review_none"), icon=":material/check_circle:")
else:
    reasons = review["reasons"].str.split(",")
    table = pd.DataFrame(
        {
            ui.tr("col_project_code"): review["project_code"],
            ui.tr("col_project"): review["project_name"],
            ui.tr("col_department"): review["department"],
            ui.tr("col_budget_wan"): [ui.wan_value(v) for v in review["adjusted_budget_yuan"]],
            ui.tr("col_reason_review"): [
                "；".join(ui.tr(f"review_{r}") for r in rs) for rs in reasons
            ],
            # a large balance marks a project whatever its self-evaluation: say why it has no grade
            ui.tr("col_computed_grade"): [
                ui.grade_label(g) if isinstance(g, str) else unscored_labels.get(c, fmt.EMPTY)
                for g, c in zip(review["grade"], review["project_code"], strict=True)
            ],
            ui.tr("col_balance_rate"): [ui.pct_value(v) for v in review["balance_rate"]],
            ui.tr("col_previous_balance_rate"): [
                ui.pct_value(v) for v in review["previous_balance_rate"]
            ],
        }
    )
    ui.fitted_dataframe(
        table,
        hide_index=True,
        placeholder="—",
        height=ui.table_height(len(table)),
        column_config={
            ui.tr("col_budget_wan"): st.column_config.NumberColumn(format="%,.2f"),
            ui.tr("col_balance_rate"): st.column_config.NumberColumn(format="%.1f%%"),
            ui.tr("col_previous_balance_rate"): st.column_config.NumberColumn(format="%.1f%%"),
            ui.tr("col_reason_review"): st.column_config.TextColumn(width="medium"),
        },
    )
