"""预警 Warnings: every flag at the chosen month with its sentence, filtered by rule, severity
and department, and downloadable as a formatted Excel table (never with sensitive projects)."""

import streamlit as st

from perfbudget import data, ui

ui.ensure_router()

year, month = ui.require_period()
scope = ui.current_scope()
lang = ui.lang()

st.title(ui.tr("warnings_title"))
st.caption(ui.tr("as_of", year=year, month=month) + " · " + ui.tr("warnings_intro"))

flags = data.warning_flags(year, month, scope)
if flags.empty:
    st.success(ui.tr("no_warnings"), icon=":material/check_circle:")
    st.stop()

filters = st.columns(3)
with filters[0]:
    rules = st.multiselect(
        ui.tr("filter_rule"), list(dict.fromkeys(flags["rule"])), key="warnings_rule",
        format_func=ui.rule_label, placeholder=ui.tr("filter_all"),
    )
with filters[1]:
    severities = st.multiselect(
        ui.tr("filter_severity"), [s for s in ("red", "yellow", "blue") if s in set(flags["severity"])],
        key="warnings_severity", format_func=ui.severity_label,
        placeholder=ui.tr("filter_all"),
    )
departments = dict(zip(flags["department_code"], flags["department"], strict=False))
with filters[2]:
    chosen_departments = st.multiselect(
        ui.tr("filter_department"), sorted(departments), key="warnings_department",
        format_func=lambda code: f"{code} {departments[code]}", placeholder=ui.tr("filter_all"),
    )

shown = ui.filter_flags(flags, rules, severities, chosen_departments)
counts = shown["severity"].value_counts()
st.markdown(ui.tr(
    "warning_counts", n=len(shown), red=int(counts.get("red", 0)),
    yellow=int(counts.get("yellow", 0)), blue=int(counts.get("blue", 0)),
))
if shown.empty:
    st.info(ui.tr("no_matching_warnings"))
    st.stop()

styler, config = ui.warning_table(shown)
st.dataframe(
    styler, column_config=config, hide_index=True, placeholder="—",
    row_height=ui.WRAPPING_ROW_HEIGHT,
    height=ui.table_height(len(shown), max_rows=15, row_height=ui.WRAPPING_ROW_HEIGHT),
)

# The download: the same filters over the export scope (no sensitive project leaves).
public = ui.filter_flags(data.warning_flags(year, month, ui.export_scope()), rules, severities,
                         chosen_departments)
left_out = len(shown) - len(public)
st.download_button(
    ui.tr("download_xlsx"),
    data=ui.warning_xlsx(public),
    file_name=f"预警_{year}年{month:02d}月.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    on_click="ignore",
)
if left_out:
    st.caption(ui.tr("export_sensitive_note", n=left_out))
