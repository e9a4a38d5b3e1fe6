"""审计日志 Audit log (administrators only): who signed in or failed to, imported, rolled back,
restored, changed a threshold or setting, exported, downloaded, followed up a flag or changed
a user — when and from where; filtered by user, action and dates, and the rows shown as an
.xlsx download (itself recorded)."""

import datetime as dt

import pandas as pd
import streamlit as st

from perfbudget import data, ui

ui.ensure_router()
ui.require("audit")

st.title(ui.tr("audit_title"))
st.caption(ui.tr("audit_intro"))

everything = data.audit_log()
people = sorted({str(u) for u in everything["user"] if isinstance(u, str) and u})
today = dt.date.today()
cols = st.columns([1, 1, 1.4])
user = cols[0].selectbox(
    ui.tr("audit_filter_user"), people, index=None, key="audit_user", placeholder="—"
)
action = cols[1].selectbox(
    ui.tr("audit_filter_action"),
    list(data.AUDIT_ACTIONS),
    index=None,
    key="audit_action",
    placeholder="—",
    format_func=lambda a: ui.tr(f"audit_action_{a}"),
)
dates = cols[2].date_input(
    ui.tr("audit_filter_dates"), value=(today - dt.timedelta(days=30), today), key="audit_dates"
)
since, until = None, None
if isinstance(dates, tuple | list) and dates:
    since = dates[0]
    # the last day chosen is included: until is exclusive
    until = (dates[1] if len(dates) > 1 else dates[0]) + dt.timedelta(days=1)

rows = data.audit_log(since=since, until=until, user=user, action=action)
st.caption(ui.tr("audit_count", n=len(rows)))
if rows.empty:
    st.info(ui.tr("audit_empty"), icon=":material/policy:")
    st.stop()

st.dataframe(
    pd.DataFrame(
        {
            ui.tr("col_at"): rows["at"].to_numpy(),
            ui.tr("col_user"): rows["user"].to_numpy(),
            ui.tr("col_action"): [ui.tr(f"audit_action_{a}") for a in rows["action"]],
            ui.tr("col_detail"): rows["detail"].to_numpy(),
            ui.tr("col_origin"): rows["origin"].to_numpy(),
        }
    ),
    hide_index=True,
    placeholder="—",
    height=ui.table_height(len(rows), max_rows=25),
)
filters = "; ".join(
    f"{k}={v}"
    for k, v in (("user", user), ("action", action), ("since", since), ("until", until))
    if v is not None
)
ui.download(
    ui.tr("audit_download"),
    lambda: data.audit_xlsx(rows, filters or "—"),
    file_name=f"审计日志_{today:%Y%m%d}.xlsx",
    what=f"audit log ({filters or 'all'})",
    key="audit_xlsx",
)
