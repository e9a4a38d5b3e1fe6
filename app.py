"""PerfBudget 预算绩效看板 — router only: page config, the shared sidebar, navigation."""

import streamlit as st

from perfbudget import ui

st.set_page_config(page_title="预算绩效看板 PerfBudget", page_icon=":material/monitoring:", layout="wide")

ui.sidebar()


def page(file: str, title_key: str, icon: str, **kwargs) -> st.Page:
    """A page whose URL is its file name (/execution), so links survive a restart."""
    name = file.removesuffix(".py")
    return st.Page(f"pages/{file}", title=ui.tr(title_key), icon=f":material/{icon}:",
                   url_path=name, **kwargs)


# Sections of the sidebar. A new page is one line in its section.
sections = {
    ui.tr("nav_monitoring"): [
        page("overview.py", "page_overview", "dashboard", default=True),
        page("execution.py", "page_execution", "payments"),
        page("targets.py", "page_targets", "flag"),
        page("warnings.py", "page_warnings", "warning"),
    ],
    ui.tr("nav_data"): [
        page("upload.py", "page_upload", "upload_file"),
    ],
}

st.navigation(sections).run()
