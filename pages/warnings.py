"""预警 Warnings: every flag at the chosen month with its sentence, since when it has been
raised and its latest follow-up, filtered by rule, severity and department; a picked flag
takes a leader's 已关注 / 已处理 with a note; downloadable as a formatted Excel table (never
with sensitive projects)."""

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
        ui.tr("filter_rule"),
        list(dict.fromkeys(flags["rule"])),
        key="warnings_rule",
        format_func=ui.rule_label,
        placeholder=ui.tr("filter_all"),
    )
with filters[1]:
    severities = st.multiselect(
        ui.tr("filter_severity"),
        [s for s in ui.vocab.SEVERITIES if s in set(flags["severity"])],
        key="warnings_severity",
        format_func=ui.severity_label,
        placeholder=ui.tr("filter_all"),
    )
departments = dict(zip(flags["department_code"], flags["department"], strict=False))
with filters[2]:
    chosen_departments = st.multiselect(
        ui.tr("filter_department"),
        sorted(departments),
        key="warnings_department",
        format_func=lambda code: f"{code} {departments[code]}",
        placeholder=ui.tr("filter_all"),
    )

shown = ui.filter_flags(flags, rules, severities, chosen_departments)
# 共N条 = red + yellow warnings + blue notes + data-quality notes (the overview's tile is the
# red + yellow of the same flags)
st.markdown(ui.flag_count_line(shown))
if shown.empty:
    st.info(ui.tr("no_matching_warnings"))
    st.stop()

all_shown = shown
shown = ui.paged(shown, "warnings_table")  # a city has tens of thousands of flags
# How long each flag of this page has lasted, and what a leader last did about it.
with st.spinner(ui.tr("since_computing")):
    shown = data.with_followup(shown, year, month, scope)
keys = list(ui.flag_keys(shown))
styler, config = ui.warning_table(
    shown,
    extra={
        ui.tr("col_since"): [
            ui.since_label(m, n)
            for m, n in zip(shown["since_month"], shown["months_flagged"], strict=True)
        ],
        ui.tr("col_followup"): [ui.followup_status_label(s) for s in shown["followup_status"]],
    },
)
config[ui.tr("col_since")] = st.column_config.TextColumn(help=ui.tr("col_since_help"), width=125)
config[ui.tr("col_followup")] = st.column_config.TextColumn(width=60)
# how long and who followed up, beside the rule and before the long sentence
# (the project code is in the picked flag's detail and the Excel file: the sentence needs the room)
order = [
    ui.tr(c)
    for c in (
        "col_severity",
        "col_project",
        "col_rule",
        "col_since",
        "col_followup",
        "col_message",
        "col_department",
    )
]
# widths that fit 1280 (the sentence over up to four lines of its row)
config, row_height = ui.fit_columns(styler, config, order, lines=4)
row_height = row_height or ui.WRAPPING_ROW_HEIGHT
event = st.dataframe(
    styler,
    column_config=config,
    hide_index=True,
    placeholder="—",
    column_order=order,
    row_height=row_height,
    height=ui.table_height(len(shown), max_rows=15, row_height=row_height),
    on_select="rerun",
    selection_mode="single-row",
    key="warnings_table",
)

# The picked flag: its sentence, how long, its follow-up history, and the follow-up form.
picked = event.selection.rows if event is not None else []
if not picked:
    st.caption(ui.tr("warnings_pick_hint"))
else:
    flag = ui.with_messages(shown.iloc[[picked[0]]]).iloc[0]
    key = keys[picked[0]]
    with st.container(border=True):
        st.markdown(ui.flag_subject(flag))
        ui.badge(
            flag["severity"],
            ui.severity_label(flag["severity"])
            + " · "
            + ui.rule_label(flag["rule"])
            + " · "
            + ui.since_label(flag["since_month"], flag["months_flagged"]),
        )
        st.markdown(ui.md_text(flag["message" if lang == "zh" else "message_en"]))
        history = data.followup_history(flag, year, scope)
        if history.empty:
            st.caption(ui.tr("followup_none_yet"))
        else:
            st.dataframe(ui.followup_history_table(history), hide_index=True, placeholder="—")
        ui.followup_form(flag, year, key=f"warnings_followup_{key}")
        if isinstance(flag["project_code"], str) and flag["project_code"]:
            ui.project_link(flag["project_code"])

# The download: the same filters over the export scope (no sensitive project leaves).
public = ui.filter_flags(
    data.warning_flags(year, month, ui.export_scope()), rules, severities, chosen_departments
)
left_out = len(all_shown) - len(public)
ui.warnings_download(public, year, month)
if left_out:
    st.caption(ui.tr("export_sensitive_note", n=left_out))
