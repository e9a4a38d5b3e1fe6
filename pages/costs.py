"""成本分析 Costs (一类事 benchmarking): pick a class and output unit; every peer's unit cost
as a strip over the class's P25–P75 band, the median, the 成本定额标准 and the suggested
standard (平均先进值); the class's projects with their deviation, item shares and why any is
left out; the median by unit, department or district against the previous year; and an
overview of every class. Figures: docs/figures.md#cost-benchmarking."""

import pandas as pd
import streamlit as st

from perfbudget import data, ui
from perfbudget.ui import charts, fmt

ui.ensure_router()

year, month = ui.require_period()
scope = ui.current_scope()
lang = ui.lang()

st.title(ui.tr("costs_title"))
st.caption(ui.tr("costs_intro", year=year))

classes = data.cost_class_summary(year)
if classes.empty:
    st.info(ui.tr("costs_empty", year=year), icon=":material/calculate:")
    st.stop()


def class_label(row: pd.Series) -> str:
    return ui.tr(
        "costs_class_option",
        service_class=row["service_class"],
        unit=row["output_unit"],
        n=int(row["project_count"]),
    )


options = list(range(len(classes)))
picked = st.selectbox(
    ui.tr("costs_pick_class"),
    options,
    key="cost_class_pick",
    format_func=lambda i: class_label(classes.iloc[i]),
)
stats = classes.iloc[picked]
service_class, unit = str(stats["service_class"]), str(stats["output_unit"])
per_unit = ui.tr("cost_per_unit", unit=unit)


def per_unit_text(value: object) -> str:
    return fmt.EMPTY if pd.isna(value) else f"{fmt.number(value)} {per_unit}"


def tile_label(key: str) -> str:
    """A tile's label with the unit (元/平方米): the value alone fits a quarter of a laptop
    screen, a value with its unit was cut off ("322.68 元/平…")."""
    return ui.tr("with_unit", label=ui.tr(key), unit=per_unit)


def tile_number(value: object) -> str:
    return fmt.EMPTY if pd.isna(value) else fmt.number(value)


# two tiles a row: a range with its decimals (312.67–334.43) does not fit a quarter of a laptop
tiles = [*st.columns(2), *st.columns(2)]
tiles[0].metric(
    tile_label("costs_median"),
    tile_number(stats["median_unit_cost_yuan"]),
    help=ui.tr("costs_median_help", n=int(stats["project_count"])),
)
tiles[1].metric(
    tile_label("costs_middle_half"),
    f"{fmt.number(stats['p25_unit_cost_yuan'])}–{fmt.number(stats['p75_unit_cost_yuan'])}",
    help=ui.tr("costs_middle_half_help"),
)
tiles[2].metric(tile_label("cost_standard"), tile_number(stats["standard_unit_cost_yuan"]))
if pd.isna(stats["suggested_standard_yuan"]):
    tiles[3].metric(tile_label("costs_suggested"), fmt.EMPTY, help=ui.tr("costs_suggested_none"))
else:
    tiles[3].metric(
        tile_label("costs_suggested"),
        tile_number(stats["suggested_standard_yuan"]),
        help=ui.tr("costs_suggested_help"),
    )
    st.caption(
        ui.tr(
            "costs_suggested_line",
            value=per_unit_text(stats["suggested_standard_yuan"]),
            n=int(stats["project_count"]),
            meeting=int(stats["meeting_suggested_count"]),
            outliers=int(stats["outlier_count"]),
        )
    )

projects = data.cost_class_projects(year, scope, service_class, unit)
peers = projects[projects["excluded_reason"].isna()]
if peers.empty:
    st.info(ui.tr("costs_no_peers_in_scope"), icon=":material/visibility_off:")
else:
    ui.plotly(
        charts.cost_strip_chart(
            peers,
            stats,
            lang,
            title=ui.tr("cost_strip_title_of", service_class=service_class, unit=unit),
        ),
        key="cost_strip",
    )

st.subheader(ui.tr("costs_projects_heading"))
if projects.empty:
    st.info(ui.tr("costs_no_projects_in_scope"))
else:

    def basis(row: pd.Series) -> str:
        if isinstance(row["excluded_reason"], str):
            return fmt.EMPTY
        return ui.tr(f"cost_basis_{row['reference_basis']}")

    def reason(value: object) -> str:
        return ui.tr(f"cost_excluded_{value}") if isinstance(value, str) else ""

    table = pd.DataFrame(
        {
            ui.tr("col_project_code"): projects["project_code"],
            ui.tr("col_project"): projects["project_name"],
            ui.tr("col_budget_unit"): projects["unit"],
            ui.tr("col_department"): projects["department"],
            ui.tr("costs_col_total_wan"): [ui.wan_value(v) for v in projects["total_cost_yuan"]],
            ui.tr("costs_col_quantity"): [
                ui.round_value(v, 2) for v in projects["output_quantity"]
            ],
            ui.tr("costs_col_output_unit"): projects["output_unit"],
            ui.tr("costs_col_unit_cost"): [
                ui.round_value(v, 2) for v in projects["unit_cost_yuan"]
            ],
            ui.tr("costs_col_reference"): [
                ui.round_value(v, 2) for v in projects["reference_unit_cost_yuan"]
            ],
            ui.tr("costs_col_basis"): [basis(r) for _, r in projects.iterrows()],
            ui.tr("costs_col_deviation"): [ui.pct_value(v) for v in projects["deviation"]],
            # beside the rule's reference (standard, else median): the suggested standard's
            ui.tr("costs_col_suggested_deviation"): [
                ui.pct_value(v) for v in projects["suggested_deviation"]
            ],
            ui.tr("costs_col_outlier"): [
                ui.tr("yes") if v is True else "" for v in projects["is_outlier"]
            ],
            **{
                ui.tr(f"cost_item_{item}"): [ui.pct_value(v) for v in projects[f"{item}_share"]]
                for item in ("personnel", "equipment", "operation", "management", "other")
            },
            ui.tr("costs_col_excluded"): [reason(v) for v in projects["excluded_reason"]],
        }
    )
    percent = st.column_config.NumberColumn(format="%.1f%%")
    st.dataframe(
        table,
        hide_index=True,
        placeholder="—",
        height=ui.table_height(len(table)),
        column_config={
            ui.tr("costs_col_total_wan"): st.column_config.NumberColumn(format="%,.2f"),
            ui.tr("costs_col_deviation"): percent,
            ui.tr("costs_col_suggested_deviation"): percent,
            **{
                ui.tr(f"cost_item_{item}"): percent
                for item in ("personnel", "equipment", "operation", "management", "other")
            },
        },
    )

st.subheader(ui.tr("costs_groups_heading"))
group_keys = list(data.COST_GROUPS)
if projects["district"].dropna().nunique() <= 1:
    group_keys.remove("district")  # one district: a district view says nothing
if projects["unit_code"].dropna().empty:
    group_keys.remove("unit")  # no project names its budget unit
group_by = st.radio(
    ui.tr("costs_group_by"),
    group_keys,
    horizontal=True,
    key="cost_group_by",
    format_func=lambda k: ui.tr(f"costs_group_{k}"),
)
groups = data.cost_group_medians(year, scope, service_class, unit, group_by)
if groups.empty:
    st.info(ui.tr("costs_no_peers_in_scope"))
else:
    ui.plotly(charts.cost_group_median_bars(groups, lang), key="cost_groups")
    st.dataframe(
        pd.DataFrame(
            {
                ui.tr(f"costs_group_{group_by}"): groups["group_name"],
                ui.tr("col_projects"): groups["project_count"].astype(int),
                ui.tr("cost_this_year"): [
                    ui.round_value(v, 2) for v in groups["median_unit_cost_yuan"]
                ],
                ui.tr("cost_previous_year"): [
                    ui.round_value(v, 2) for v in groups["previous_median_unit_cost_yuan"]
                ],
                ui.tr("costs_col_change"): [ui.pct_value(v) for v in groups["median_change"]],
            }
        ),
        hide_index=True,
        placeholder="—",
        height=ui.table_height(len(groups)),
        column_config={ui.tr("costs_col_change"): st.column_config.NumberColumn(format="%+.1f%%")},
    )

st.subheader(ui.tr("costs_overview_heading"))
st.caption(ui.tr("costs_overview_intro"))
st.dataframe(
    pd.DataFrame(
        {
            ui.tr("costs_col_class"): classes["service_class"],
            ui.tr("costs_col_output_unit"): classes["output_unit"],
            ui.tr("col_projects"): classes["project_count"].astype(int),
            ui.tr("costs_median"): [ui.round_value(v, 2) for v in classes["median_unit_cost_yuan"]],
            ui.tr("costs_col_spread"): [ui.round_value(v, 2) for v in classes["spread"]],
            ui.tr("cost_standard"): [
                ui.round_value(v, 2) for v in classes["standard_unit_cost_yuan"]
            ],
            ui.tr("costs_suggested"): [
                ui.round_value(v, 2) for v in classes["suggested_standard_yuan"]
            ],
            ui.tr("costs_col_above"): classes["above_reference_count"].astype(int),
            ui.tr("costs_col_previous_median"): [
                ui.round_value(v, 2) for v in classes["previous_median_unit_cost_yuan"]
            ],
        }
    ),
    hide_index=True,
    placeholder="—",
    height=ui.table_height(len(classes)),
)
