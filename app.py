"""PerfBudget 预算绩效看板 — router only: page config, the shared sidebar, navigation."""

import streamlit as st

from perfbudget import ui

st.set_page_config(page_title="预算绩效看板 PerfBudget", page_icon=":material/monitoring:", layout="wide")

ui.sidebar()

pages = [
    st.Page("pages/overview.py", title=ui.tr("page_overview"), icon=":material/dashboard:",
            url_path="overview", default=True),
    st.Page("pages/execution.py", title=ui.tr("page_execution"), icon=":material/payments:",
            url_path="execution"),
    st.Page("pages/targets.py", title=ui.tr("page_targets"), icon=":material/flag:",
            url_path="targets"),
    st.Page("pages/warnings.py", title=ui.tr("page_warnings"), icon=":material/warning:",
            url_path="warnings"),
    st.Page("pages/upload.py", title=ui.tr("page_upload"), icon=":material/upload_file:",
            url_path="upload"),
]

st.navigation(pages).run()
