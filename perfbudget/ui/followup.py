"""A leader's follow-up on a flag (已关注 / 已处理 with a note), its history, and the link
to a project's page."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from perfbudget import data
from perfbudget.flags import FOLLOWUP_STATUSES, flag_key
from perfbudget.ui.markdown import md_text
from perfbudget.ui.session import denied_reason, tr, user_name
from perfbudget.ui.text import cell_text, followup_status_label


def project_link(code: str, label: str | None = None) -> None:
    """A link to the project page for one project (/project?project=CODE)."""
    st.page_link(
        "pages/project.py",
        label=label or tr("open_project", code=md_text(code)),
        icon=":material/open_in_new:",
        query_params={"project": code},
    )


def flag_keys(flags):
    """What names each flag (flags.flag_key: project | department | rule): the key of its
    widgets."""
    return flag_key(flags)


def followup_history_table(history):
    """data.flag_followups rows (one flag's) as a table, newest first."""
    return pd.DataFrame(
        {
            tr("col_noted_at"): history["noted_at"].to_numpy(),
            tr("col_followup"): [followup_status_label(s) for s in history["status"]],
            tr("col_note"): [cell_text(n) for n in history["note"]],
            tr("col_noted_by"): history["user_name"].to_numpy(),
            tr("col_as_of_month"): [tr("month_n", m=int(m)) for m in history["as_of_month"]],
        }
    )


def followup_form(flag, year: int, key: str) -> None:
    """已关注 / 已处理 with a note on one flag (a row of data.warning_flags); kept with who and
    when in flag_followups through data.record_followup. A role without the follow_up right
    sees why instead of the form."""
    reason = denied_reason("follow_up")
    if reason is not None:
        st.caption(reason)
        return
    with st.form(key=key, clear_on_submit=True, border=True):
        st.markdown(tr("followup_form_heading"))
        status = st.radio(
            tr("followup_status"),
            FOLLOWUP_STATUSES,
            horizontal=True,
            format_func=followup_status_label,
            key=f"{key}_status",
        )
        note = st.text_area(
            tr("followup_note"),
            key=f"{key}_note",
            height=80,
            placeholder=tr("followup_note_placeholder"),
        )
        if st.form_submit_button(tr("followup_save"), type="primary", icon=":material/done:"):
            code = flag["project_code"]
            data.record_followup(
                year=year,
                project_code=code if isinstance(code, str) else None,
                department_code=str(flag["department_code"]),
                rule_id=str(flag["rule"]),
                as_of_month=int(flag["as_of_month"]),
                status=status,
                note=note,
                user=user_name(),
            )
            st.toast(tr("followup_saved"), icon=":material/check_circle:")
            st.rerun()
