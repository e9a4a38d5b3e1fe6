"""数据导入 Data import: the templates, the upload with a progress bar, the validation report
(nothing written) or the summary of what landed, and the batch history."""

import streamlit as st

from perfbudget import data, ui
from perfbudget.importer import (
    TABLE_KINDS,
    ImportRejected,
    template_csv_bytes,
    template_workbook_bytes,
)

ui.ensure_router()

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

st.title(ui.tr("upload_title"))
st.markdown(ui.tr("upload_intro"))

# Templates.
st.subheader(ui.tr("template_heading"))
st.caption(ui.tr("template_format"))
with st.container(horizontal=True, gap="small"):
    st.download_button(
        ui.tr("template_xlsx"), data=template_workbook_bytes(), file_name="导入模板.xlsx",
        mime=XLSX_MIME, icon=":material/download:", type="primary", on_click="ignore",
        key="template_xlsx",
    )
    for kind in TABLE_KINDS:
        st.download_button(
            ui.tr("template_csv", kind=ui.tr(f"kind_{kind}")), data=template_csv_bytes(kind),
            file_name=f"模板_{ui.t(f'kind_{kind}', 'zh')}.csv", mime="text/csv",
            on_click="ignore", key=f"template_csv_{kind}",
        )

# Upload and import.
st.subheader(ui.tr("uploader_label"))
round_ = st.session_state.setdefault("upload_round", 0)
files = st.file_uploader(
    ui.tr("uploader_label"), type=["xlsx", "xls", "csv"], accept_multiple_files=True,
    key=f"upload_files_{round_}", label_visibility="collapsed",
)
if st.button(ui.tr("import_button"), type="primary", disabled=not files, icon=":material/upload:"):
    bar = st.progress(0.0, text=ui.tr("importing"))
    try:
        result = data.import_files(
            [(f.name, f.getvalue()) for f in files], ui.user_name(), ui.progress_callback(bar),
        )
    except ImportRejected as rejected:
        bar.empty()
        st.session_state["upload_outcome"] = ("rejected", ui.issues_frame(rejected.issues))
    else:
        bar.progress(1.0, text=ui.tr("import_done"))
        st.session_state["upload_outcome"] = ("done", (result.summary_lines(), result.to_frame()))
        st.session_state["upload_round"] = round_ + 1  # a fresh, empty uploader
    st.rerun()  # the sidebar's years and months may have changed

outcome = st.session_state.get("upload_outcome")
if outcome is not None:
    status, payload = outcome
    if status == "rejected":
        st.error(ui.tr("import_rejected", n=len(payload)), icon=":material/error:")
        st.dataframe(payload, hide_index=True, placeholder="—")
    else:
        lines, frame = payload
        st.success(ui.tr("import_done"), icon=":material/check_circle:")
        st.markdown("\n".join(f"- {ui.summary_line(line)}" for line in lines))
        st.dataframe(ui.import_summary_table(frame), hide_index=True, placeholder="—")

# History.
st.subheader(ui.tr("history_heading"))
batches = data.import_batches()
if batches.empty:
    st.info(ui.tr("no_history"), icon=":material/history:")
else:
    table, config = ui.batches_table(batches)
    st.dataframe(table, column_config=config, hide_index=True, placeholder="—")
