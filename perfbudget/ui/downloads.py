"""A page's table as a file to download: the warnings as a formatted workbook (the briefing's
files are in ui.briefing, a chart's images in ui.plots)."""

from __future__ import annotations

import streamlit as st

from perfbudget.ui.session import tr

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def warnings_download(flags, year: int, month: int) -> None:
    """The 下载 Excel button of the warnings page: these flags (the export scope's, filtered
    as the page is) as perfbudget.export.tables.warning_xlsx, built when clicked, not on
    every run (every flag's sentence and a formatted workbook)."""
    from perfbudget.export.tables import warning_xlsx  # openpyxl: only when a file is made

    st.download_button(
        tr("download_xlsx"),
        data=lambda: warning_xlsx(flags),
        file_name=f"预警_{year}年{month:02d}月.xlsx",
        mime=XLSX_MIME,
        icon=":material/download:",
        on_click="ignore",
    )
