"""年末预测 Year-end forecast: each project's spending at year end projected from how its unit
(or the whole district) spent in earlier years, the forecast balance rate, the projects it
flags, and how the figure was made — curve source, years, s(m), formula, the curves drawn."""

import pandas as pd
import streamlit as st

from perfbudget import data, ui
from perfbudget.ui import charts, fmt

ui.ensure_router()

year, month = ui.require_period()
scope = ui.current_scope()
lang = ui.lang()

st.title(ui.tr("forecast_title"))
st.caption(ui.tr("as_of", year=year, month=month) + " · " + ui.tr("forecast_intro"))

forecast = data.project_forecast(year, month, scope)
if forecast.empty:
    st.info(ui.tr("no_projects"), icon=":material/info:")
    st.stop()

flag_at = data.threshold("large_balance", "red_at")
summary = data.forecast_summary(year, month, scope)
if summary.without == len(forecast):
    st.warning(ui.tr("forecast_no_history", year=year), icon=":material/history_toggle_off:")
    st.stop()

flagged = summary.flagged
tiles = st.columns(4)
ui.count_tile(
    tiles[0],
    ui.tr("forecast_flagged"),
    len(flagged),
    help=ui.tr("forecast_flagged_help", v=fmt.pct(flag_at, 0)),
)
ui.count_tile(tiles[1], ui.tr("forecast_by_unit"), summary.by_unit)
ui.count_tile(tiles[2], ui.tr("forecast_by_district"), summary.by_district)
ui.count_tile(
    tiles[3], ui.tr("forecast_without"), summary.without, help=ui.tr("forecast_without_help")
)

with st.expander(ui.tr("forecast_method_heading"), expanded=True, icon=":material/functions:"):
    st.markdown(
        ui.tr(
            "forecast_method",
            v=fmt.pct(flag_at, 0),
            n=int(data.threshold("forecast", "min_curve_projects")),
        )
    )

st.subheader(ui.tr("forecast_table_heading"))
only_flagged = st.toggle(ui.tr("forecast_only_flagged"), value=True, key="forecast_only_flagged")
shown = (
    (flagged if only_flagged else forecast)
    .sort_values("forecast_balance_rate", ascending=False, na_position="last", kind="stable")
    .reset_index(drop=True)
)
shown = ui.paged(
    shown,
    f"forecast_table_{only_flagged}",
    {
        "forecast_balance_rate": ui.tr("col_forecast_balance"),
        "execution_rate": ui.tr("col_rate"),
        "adjusted_budget_yuan": ui.tr("col_budget_wan"),
        "project_code": ui.tr("col_project_code"),
    },
)
if shown.empty:
    st.success(ui.tr("forecast_none_flagged"), icon=":material/check_circle:")
else:
    table = pd.DataFrame(
        {
            ui.tr("col_project_code"): shown["project_code"],
            ui.tr("col_project"): shown["project_name"],
            ui.tr("col_department"): shown["department"],
            ui.tr("col_budget_wan"): [ui.wan_value(v) for v in shown["adjusted_budget_yuan"]],
            ui.tr("col_spent_wan"): [ui.wan_value(v) for v in shown["spent_yuan"]],
            ui.tr("col_rate"): [ui.pct_value(v) for v in shown["execution_rate"]],
            ui.tr("col_typical_share"): [ui.pct_value(v) for v in shown["typical_share"]],
            ui.tr("col_forecast_wan"): [ui.wan_value(v) for v in shown["forecast_spend_yuan"]],
            ui.tr("col_forecast_balance"): [
                ui.pct_value(v) for v in shown["forecast_balance_rate"]
            ],
            ui.tr("col_curve_source"): [
                ui.tr(f"curve_source_{s}") if isinstance(s, str) else fmt.EMPTY
                for s in shown["curve_source"]
            ],
        }
    )
    codes = pd.Series(["red" if bool(f) else "" for f in shown["is_flagged"]], dtype=object)
    event = ui.fitted_dataframe(
        ui.style_lights(
            table, [ui.tr("col_forecast_balance")], {ui.tr("col_forecast_balance"): codes}
        ),
        hide_index=True,
        placeholder="—",
        on_select="rerun",
        selection_mode="single-row",
        key=f"forecast_table_{only_flagged}",
        height=ui.table_height(len(table)),
        column_config={
            ui.tr("col_budget_wan"): st.column_config.NumberColumn(format="%,.2f"),
            ui.tr("col_spent_wan"): st.column_config.NumberColumn(format="%,.2f"),
            ui.tr("col_forecast_wan"): st.column_config.NumberColumn(format="%,.2f"),
            ui.tr("col_rate"): st.column_config.NumberColumn(format="%.1f%%"),
            ui.tr("col_typical_share"): st.column_config.NumberColumn(
                format="%.1f%%", help=ui.tr("col_typical_share_help")
            ),
            ui.tr("col_forecast_balance"): st.column_config.NumberColumn(format="%.1f%%"),
        },
    )
    if event.selection.rows:
        st.session_state["forecast_project"] = shown["project_code"].iloc[event.selection.rows[0]]

# How one project's forecast was made.
st.subheader(ui.tr("forecast_explain_heading"))
codes = list(forecast["project_code"])
names = dict(zip(codes, forecast["project_name"], strict=True))
if st.session_state.get("forecast_project") not in names:
    st.session_state["forecast_project"] = (
        shown["project_code"].iloc[0] if not shown.empty else codes[0]
    )
code = st.selectbox(
    ui.tr("choose_project"), codes, key="forecast_project", format_func=lambda c: f"{c} {names[c]}"
)
row = forecast.set_index("project_code").loc[code]
if row["forecast_spend_yuan"] is None or row["forecast_spend_yuan"] != row["forecast_spend_yuan"]:
    st.info(ui.tr("forecast_project_none"), icon=":material/history_toggle_off:")
else:
    source = ui.tr(f"curve_source_{row['curve_source']}")
    st.markdown(
        ui.tr(
            "forecast_explain",
            source=source,
            years=row["curve_years"],
            n=int(row["curve_project_count"]),
            month=month,
            share=fmt.pct(row["typical_share"]),
            spent=fmt.money(row["spent_yuan"], lang=lang),
            forecast=fmt.money(row["forecast_spend_yuan"], lang=lang),
            budget=fmt.money(row["adjusted_budget_yuan"], lang=lang),
            balance=fmt.pct(row["forecast_balance_rate"]),
        )
    )
    if bool(row["is_flagged"]):
        st.error(ui.tr("forecast_flag_line", v=fmt.pct(flag_at, 0)), icon=":material/warning:")
    shares = data.project_forecast_shares(year, code, scope)
    curve = data.project_monthly_curve(year, code, scope)
    ui.plotly(
        charts.forecast_curve_chart(
            curve, shares, month, float(row["forecast_execution_rate"]), lang
        ),
        key="forecast_curve",
    )
    st.caption(ui.tr("forecast_chart_note"))
ui.project_link(code)
