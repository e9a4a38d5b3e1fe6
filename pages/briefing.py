"""简报 Briefing: pick the scope (the district or one department) and the sections for the
sidebar's year and month, see each slide's key figure, and download the 16:9 PPTX, the same
as PDF, and the tables as a formatted Excel workbook — marked 内部 or 公开 (public: no
sensitive project). Files are made when a download button is clicked."""

import streamlit as st

from perfbudget import data, ui

ui.ensure_router()

year, month = ui.require_period()
scope = ui.current_scope()

st.title(ui.tr("briefing_title"))
st.caption(ui.tr("as_of", year=year, month=month) + " · " + ui.tr("briefing_intro"))

departments = data.department_list(year, scope)
names = dict(zip(departments["department_code"], departments["department"], strict=True))
left, right = st.columns([2, 1], gap="large")
with left:
    department = st.selectbox(
        ui.tr("briefing_scope"),
        [None, *names],
        key="briefing_department",
        format_func=lambda code: (
            ui.tr("briefing_scope_all") if code is None else f"{code} {names[code]}"
        ),
    )
    chosen = st.pills(
        ui.tr("briefing_sections"),
        list(data.BRIEFING_SECTIONS),
        selection_mode="multi",
        default=data.briefing_default_sections(year),
        key="briefing_sections",
        format_func=lambda key: ui.tr(f"brief_section_{key}"),
    )
with right:
    public = st.toggle(
        ui.tr("briefing_public"), key="briefing_public", help=ui.tr("briefing_public_help")
    )
    st.caption(ui.tr("briefing_marking_public" if public else "briefing_marking_internal"))

if not chosen:
    st.info(ui.tr("briefing_no_sections"))
    st.stop()

sections = tuple(key for key in data.BRIEFING_SECTIONS if key in chosen)
try:
    with st.spinner(ui.tr("briefing_building")):
        model = data.briefing(
            year,
            month,
            department,
            public,
            sections,
            ui.export_scope() if public else scope,
            ui.lang(),
        )
except data.BriefingError as exc:
    st.warning(ui.tr("briefing_error", error=ui.md_text(exc)), icon=":material/info:")
    st.stop()

ui.briefing_downloads(model, pdf_available=data.pdf_available())

st.subheader(ui.tr("briefing_preview"))
st.markdown(ui.briefing_outline(model))
if model.omitted:
    st.info(
        ui.tr("briefing_omitted")
        + "\n\n"
        + "\n".join(f"- {ui.md_text(line)}" for line in model.omitted_lines()),
        icon=":material/info:",
    )
