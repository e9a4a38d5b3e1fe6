"""财政可靠性 Fiscal reliability (PEFA PI-1 and PI-2): per district (when the data has several)
or per department, the last three completed years' outturn ÷ initial budget (年初预算数) and
the composition variance over the heads one level down, the A–D scores, and the calculation
behind each (k, the heads, the sum of deviations); "—" with fewer than three years. Every
figure and grade comes from perfbudget.data (docs/figures.md#fiscal-reliability-pefa)."""

import pandas as pd
import streamlit as st

from perfbudget import data, ui
from perfbudget.ui import fmt

ui.ensure_router()

year, _month = ui.require_period()
scope = ui.current_scope()
lang = ui.lang()

st.title(ui.tr("reliability_title"))
st.caption(ui.tr("reliability_intro", year=year))

whole_level, head_level = data.pefa_levels(year, scope)
whole = data.pefa_scores(whole_level, year, scope)
if whole.empty:
    st.info(ui.tr("reliability_empty", year=year), icon=":material/balance:")
    st.stop()

years = sorted(int(y) for y in whole["year"].unique())
if len(years) < 3:
    st.warning(ui.tr("reliability_few_years", year=year, n=len(years)), icon=":material/info:")


def grade(value: object) -> str:
    return value if isinstance(value, str) and value else fmt.EMPTY


def by_year(frame: pd.DataFrame, column: str) -> str:
    joint = "；" if lang == "zh" else "; "
    return joint.join(f"{int(r.year)} {fmt.pct(getattr(r, column))}" for r in frame.itertuples())


top = whole[whole["code"] == whole["code"].iloc[0]]
tiles = st.columns(3)
tiles[0].metric(
    ui.tr("reliability_years"), f"{years[0]}–{years[-1]}" if len(years) > 1 else str(years[0])
)
tiles[1].metric(
    ui.tr("reliability_pi1"),
    grade(top["pi1_score"].iloc[0]),
    help=ui.tr(
        "reliability_pi1_help",
        head=ui.md_text(top["name"].iloc[0]),
        ratios=by_year(top, "outturn_ratio"),
    ),
)
tiles[2].metric(
    ui.tr("reliability_pi2"),
    grade(top["pi2_score"].iloc[0]),
    help=ui.tr(
        "reliability_pi2_help",
        head=ui.md_text(top["name"].iloc[0]),
        sub=ui.tr(f"reliability_sub_{whole_level}"),
        variances=by_year(top, "pi2_variance"),
    ),
)

# and the functional view (docs/figures.md#fiscal-reliability-pefa): the whole over its
# 项目类别 (PI-1 is the whole's own)
levels = ["district", "department", f"{whole_level}_category"]
level = st.radio(
    ui.tr("reliability_level"),
    levels,
    index=levels.index(head_level),
    horizontal=True,
    format_func=lambda x: ui.tr(f"reliability_level_{x}"),
    key="reliability_level",
)
heads = data.pefa_scores(level, year, scope)

st.subheader(ui.tr("reliability_heads_heading"))
table = pd.DataFrame(
    {
        ui.tr("col_pefa_head"): heads["name"],
        ui.tr("col_pefa_year"): [str(int(y)) for y in heads["year"]],
        ui.tr("col_pefa_initial_wan"): [ui.wan_value(v) for v in heads["initial_budget_yuan"]],
        ui.tr("col_pefa_outturn_wan"): [ui.wan_value(v) for v in heads["outturn_yuan"]],
        ui.tr("col_pefa_ratio"): [ui.pct_value(v) for v in heads["outturn_ratio"]],
        ui.tr("col_pefa_pi1_year"): [grade(v) for v in heads["pi1_year_grade"]],
        ui.tr("col_pefa_pi1"): [grade(v) for v in heads["pi1_score"]],
        ui.tr("col_pefa_variance"): [ui.pct_value(v) for v in heads["pi2_variance"]],
        ui.tr("col_pefa_pi2_year"): [grade(v) for v in heads["pi2_year_grade"]],
        ui.tr("col_pefa_pi2"): [grade(v) for v in heads["pi2_score"]],
    }
)
st.dataframe(
    table,
    hide_index=True,
    placeholder="—",
    height=ui.table_height(len(table)),
    column_config={
        ui.tr("col_pefa_initial_wan"): st.column_config.NumberColumn(format="%,.2f"),
        ui.tr("col_pefa_outturn_wan"): st.column_config.NumberColumn(format="%,.2f"),
        ui.tr("col_pefa_ratio"): st.column_config.NumberColumn(format="%.1f%%"),
        ui.tr("col_pefa_variance"): st.column_config.NumberColumn(format="%.1f%%"),
    },
)

st.subheader(ui.tr("reliability_calc_heading"))
names = dict(zip(heads["code"], heads["name"], strict=False))
picked = st.selectbox(
    ui.tr("reliability_calc_pick"),
    list(names),
    format_func=lambda c: names[c],
    key="reliability_head",
)
own = heads[heads["code"] == picked]
parts = data.pefa_composition(level, year, scope)
parts = parts[parts["code"] == picked]
st.markdown(
    ui.tr(
        "reliability_calc_score",
        pi1=grade(own["pi1_score"].iloc[0]),
        pi2=grade(own["pi2_score"].iloc[0]),
    )
)
for row in own.itertuples():
    with st.expander(
        ui.tr("reliability_calc_year", year=int(row.year)), expanded=row.year == own["year"].max()
    ):
        st.markdown(
            ui.tr(
                "reliability_calc_pi1",
                outturn=fmt.money(row.outturn_yuan, lang=lang),
                budget=fmt.money(row.initial_budget_yuan, lang=lang),
                ratio=fmt.pct(row.outturn_ratio),
                grade=grade(row.pi1_year_grade),
            )
        )
        st.markdown(
            ui.tr(
                "reliability_calc_k",
                outturn=fmt.money(row.outturn_yuan, lang=lang),
                budget=fmt.money(row.initial_budget_yuan, lang=lang),
                k=fmt.ratio(row.outturn_ratio, 4),
            )
        )
        year_parts = parts[parts["year"] == row.year]
        st.dataframe(
            pd.DataFrame(
                {
                    ui.tr(f"reliability_sub_{level}"): year_parts["sub_name"],
                    ui.tr("col_pefa_initial_wan"): [
                        ui.wan_value(v) for v in year_parts["initial_budget_yuan"]
                    ],
                    ui.tr("col_pefa_outturn_wan"): [
                        ui.wan_value(v) for v in year_parts["outturn_yuan"]
                    ],
                    ui.tr("col_pefa_ratio"): [ui.pct_value(v) for v in year_parts["outturn_ratio"]],
                    ui.tr("col_pefa_expected_wan"): [
                        ui.wan_value(v) for v in year_parts["expected_yuan"]
                    ],
                    ui.tr("col_pefa_deviation_wan"): [
                        ui.wan_value(v) for v in year_parts["deviation_yuan"]
                    ],
                }
            ),
            hide_index=True,
            placeholder="—",
            height=ui.table_height(len(year_parts)),
            column_config={
                ui.tr("col_pefa_initial_wan"): st.column_config.NumberColumn(format="%,.2f"),
                ui.tr("col_pefa_outturn_wan"): st.column_config.NumberColumn(format="%,.2f"),
                ui.tr("col_pefa_ratio"): st.column_config.NumberColumn(format="%.1f%%"),
                ui.tr("col_pefa_expected_wan"): st.column_config.NumberColumn(format="%,.2f"),
                ui.tr("col_pefa_deviation_wan"): st.column_config.NumberColumn(format="%,.2f"),
            },
        )
        st.markdown(
            ui.tr(
                "reliability_calc_pi2",
                deviation=fmt.money(row.deviation_yuan, lang=lang),
                expected=fmt.money(row.outturn_yuan, lang=lang),
                variance=fmt.pct(row.pi2_variance),
                grade=grade(row.pi2_year_grade),
            )
        )
