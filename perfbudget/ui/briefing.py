"""The briefing page's pieces: the PPTX, PDF and XLSX download buttons, the outline."""

from __future__ import annotations

import streamlit as st

from perfbudget.ui.downloads import XLSX_MIME, download
from perfbudget.ui.markdown import md_text
from perfbudget.ui.session import lang, tr

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"


def briefing_downloads(model, *, pdf_available: bool) -> None:
    """Three buttons: the PPTX, the PDF (LibreOffice; a clear note and no button without it)
    and the tables as .xlsx. Each file is made on click, from the briefing model; the chart
    images are drawn once per model and serve the PPTX and the PDF."""
    # the briefing's exporters (python-pptx, openpyxl) load on the briefing page only
    from perfbudget.export.briefing import briefing_xlsx
    from perfbudget.export.pdf import MISSING_MESSAGE, briefing_pdf
    from perfbudget.export.pptx import briefing_pptx, chart_images

    drawn: dict[str, dict[str, bytes]] = {}

    def images() -> dict[str, bytes]:
        if "png" not in drawn:
            drawn["png"] = chart_images(model)
        return drawn["png"]

    with st.container(horizontal=True, gap="small", key="briefing_downloads"):
        download(
            tr("briefing_download_pptx"),
            lambda: briefing_pptx(model, images=images()),
            file_name=model.file_name("pptx"),
            mime=PPTX_MIME,
            type="primary",
            icon=":material/slideshow:",
            key="briefing_pptx",
        )
        if pdf_available:
            download(
                tr("briefing_download_pdf"),
                lambda: briefing_pdf(model, images()),
                file_name=model.file_name("pdf"),
                mime="application/pdf",
                icon=":material/picture_as_pdf:",
                key="briefing_pdf",
            )
        download(
            tr("briefing_download_xlsx"),
            lambda: briefing_xlsx(model),
            file_name=model.file_name("xlsx").replace("简报_", "简报附表_", 1),
            mime=XLSX_MIME,
            icon=":material/table_view:",
            key="briefing_xlsx",
        )
    if not pdf_available:
        st.warning(
            MISSING_MESSAGE.split("\n")[0 if lang() == "zh" else 1],
            icon=":material/picture_as_pdf:",
        )
    st.caption(tr("briefing_building_note"))


def briefing_outline(model) -> str:
    """The slides as a numbered list: title and the key figure of each."""
    lines = [f"1. **{tr('briefing_cover')}** · {md_text(model.title)} · {md_text(model.marking)}"]
    for number, section in enumerate(model.sections, start=2):
        lines.append(f"{number}. **{md_text(section.title)}** · {md_text(section.caption)}")
    return "\n".join(lines)
