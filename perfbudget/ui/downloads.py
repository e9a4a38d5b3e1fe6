"""Every download button of the dashboard goes through download(): shown only to a role that
may export (else a disabled button saying why), and each download is recorded in the audit
log as `download` with who, what and from where. Also a page's table as a file: the warnings
as a formatted workbook (the briefing's files are in ui.briefing, a chart's images in
ui.plots)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from perfbudget import data
from perfbudget.ui.session import client_origin, current_scope, denied_reason, tr, user_name

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(
    label: str,
    payload: bytes | str | Callable[[], Any],
    *,
    file_name: str,
    what: str | None = None,
    mime: str | None = None,
    key: str | None = None,
    **button: Any,
) -> None:
    """A download button (st.download_button's icon, type, help… in `button`). The payload is
    made when clicked if it is a callable. `what` is what the audit row says was downloaded
    (the file name when not given)."""
    reason = denied_reason("export")
    if reason is not None:
        st.button(
            label,
            disabled=True,
            help=reason,
            key=None if key is None else f"{key}_denied",
            icon=button.get("icon"),
            type=button.get("type", "secondary"),
        )
        return
    button.pop("on_click", None)
    st.download_button(
        label,
        data=payload,
        file_name=file_name,
        mime=mime,
        key=key,
        # a callback, not "ignore": it runs in the session (who, from where) before the rerun
        on_click=_downloaded,
        args=(f"{what or file_name} → {file_name}" if what else file_name,),
        **button,
    )


def _downloaded(what: str) -> None:
    data.record_audit(user_name(), "download", what, client_origin())


def warnings_download(flags, year: int, month: int) -> None:
    """The 下载 Excel button of the warnings page: these flags (the export scope's, filtered
    as the page is) as perfbudget.export.tables.warning_xlsx, built when clicked, not on
    every run (every flag's sentence and a formatted workbook)."""
    from perfbudget.export.tables import warning_xlsx  # openpyxl: only when a file is made

    # with how long each has lasted and its latest follow-up and note, looked up on click;
    # the scope taken now: the click's callable runs outside the session (no signed-in user)
    scope = current_scope()
    download(
        tr("download_xlsx"),
        lambda: warning_xlsx(data.with_followup(flags, year, month, scope)),
        file_name=f"预警_{year}年{month:02d}月.xlsx",
        what=f"warnings {year}-{month:02d} ({len(flags)} flags)",
        mime=XLSX_MIME,
        icon=":material/download:",
    )
