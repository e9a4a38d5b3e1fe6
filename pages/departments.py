"""部门考核 Department league table: rank, score and its five parts, the weights (editable),
and each department's score month by month."""

import pandas as pd
import streamlit as st

from perfbudget import data, ui
from perfbudget.ui import charts

ui.ensure_router()

year, month = ui.require_period()
scope = ui.current_scope()
lang = ui.lang()

st.title(ui.tr("league_title"))
st.caption(ui.tr("as_of", year=year, month=month) + " · " + ui.tr("league_intro"))

# ranked among every department; a department user sees their own rows only
league = data.department_league_ranked(year, month, scope)
if league.empty:
    st.info(ui.tr("no_departments"), icon=":material/info:")
    st.stop()

PARTS = tuple(data.LEAGUE_PARTS)
weights = data.league_weights()
total_weight = sum(weights.values())

table = pd.DataFrame(
    {
        ui.tr("col_rank"): league["rank"].astype(int),
        ui.tr("col_department"): league["department"],
        ui.tr("col_score"): league["score"],
        **{
            ui.tr(f"league_part_{p}"): [ui.pct_value(v) for v in league[f"{p}_part"]] for p in PARTS
        },
        ui.tr("col_over_scored"): league["over_scored_count"].astype(int),
        ui.tr("col_overdue"): league["overdue_count"].astype(int),
    }
)
st.dataframe(
    table,
    hide_index=True,
    placeholder="—",
    height=ui.table_height(len(table), max_rows=25),
    column_config={
        ui.tr("col_score"): st.column_config.ProgressColumn(
            format="%.1f", min_value=0, max_value=100
        ),
        **{
            ui.tr(f"league_part_{p}"): st.column_config.NumberColumn(
                format="%.1f%%", help=ui.tr(f"league_part_{p}_help")
            )
            for p in PARTS
        },
    },
)
st.caption(ui.tr("league_missing_note"))
if scope.departments is not None:
    st.caption(ui.tr("league_ranked_among", n=int(league["ranked_among"].iloc[0])))

with st.expander(
    ui.tr("league_weights_heading", total=f"{total_weight:g}"), icon=":material/tune:"
):
    st.caption(ui.tr("league_weights_intro") + " " + ui.tr("admin_only_note"))
    may_change = ui.can("settings")
    with st.form("league_weights"):
        cols = st.columns(len(PARTS))
        edited = {}
        for col, part in zip(cols, PARTS, strict=True):
            edited[part] = col.number_input(
                ui.tr(f"league_part_{part}"),
                min_value=0.0,
                max_value=100.0,
                value=weights[part],
                step=5.0,
                format="%g",
                key=f"league_weight_{part}",
                disabled=not may_change,
            )
        if st.form_submit_button(
            ui.tr("save"),
            type="primary",
            icon=":material/save:",
            disabled=not may_change,
            help=ui.denied_reason("settings"),
        ):
            try:
                changed = data.save_league_weights(edited, user=ui.user_name())
            except data.SettingsRejected as refused:
                st.session_state["league_weights_error"] = [
                    p.message_zh if lang == "zh" else p.message_en for p in refused.problems
                ]
            else:
                st.session_state.pop("league_weights_error", None)
                st.toast(ui.tr("saved_n", n=changed), icon=":material/check_circle:")
                st.rerun()
    for message in st.session_state.get("league_weights_error", []):
        st.error(message, icon=":material/error:")

st.subheader(ui.tr("league_trend_heading"))
names = dict(zip(league["department_code"], league["department"], strict=True))
default = list(league["department_code"].head(3)) + list(league["department_code"].tail(2))
chosen = st.multiselect(
    ui.tr("league_trend_pick"),
    list(names),
    default=list(dict.fromkeys(default)),
    key="league_trend_departments",
    format_func=lambda c: f"{c} {names[c]}",
    max_selections=10,
)
if not chosen:
    st.info(ui.tr("league_trend_choose"))
else:
    with st.spinner(ui.tr("league_trend_computing")):
        trend = data.department_league_trend(year, month, scope)
    ui.plotly(charts.league_trend_chart(trend, chosen, lang), key="league_trend")
