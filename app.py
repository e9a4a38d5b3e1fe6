"""PerfBudget 预算绩效看板 — router only: page config, the shared sidebar, navigation."""

import streamlit as st

from perfbudget import data, ui

st.set_page_config(
    page_title="预算绩效看板 PerfBudget", page_icon=":material/monitoring:", layout="wide"
)
# a link's language (?lang=en) before the page names below are worded
ui.read_url_state()


def page(file: str, title_key: str, icon: str, **kwargs) -> st.Page:
    """A page whose URL is its file name (/execution), so links survive a restart."""
    name = file.removesuffix(".py")
    return st.Page(
        f"pages/{file}", title=ui.tr(title_key), icon=f":material/{icon}:", url_path=name, **kwargs
    )


# Sections of the sidebar. A new page is one line in its section.
sections = {
    ui.tr("nav_monitoring"): [
        page("overview.py", "page_overview", "dashboard", default=True),
        page("execution.py", "page_execution", "payments"),
        page("targets.py", "page_targets", "flag"),
        page("warnings.py", "page_warnings", "warning"),
        page("dual_monitoring.py", "page_dual_monitoring", "scatter_plot"),
        page("forecast.py", "page_forecast", "trending_up"),
        page("project.py", "page_project", "folder_open"),
    ],
    ui.tr("nav_evaluation"): [
        page("selfeval.py", "page_selfeval", "grading"),
        page("rectification.py", "page_rectification", "task_alt"),
        page("disclosure.py", "page_disclosure", "public"),
        page("departments.py", "page_departments", "leaderboard"),
        page("reliability.py", "page_reliability", "balance"),
        page("costs.py", "page_costs", "calculate"),
        page("budget_requests.py", "page_budget_requests", "request_quote"),
    ],
    ui.tr("nav_briefing"): [
        page("briefing.py", "page_briefing", "slideshow"),
    ],
    ui.tr("nav_data"): [
        page("upload.py", "page_upload", "upload_file"),
        page("settings.py", "page_settings", "settings"),
        page("audit.py", "page_audit", "policy"),
    ],
}

# expanded: all pages listed, no built-in (English-only) "View N more" link. Navigation is set
# up before anything reads the database, so the sidebar lists the pages even while waiting.
ui.open_default_page_by_name("overview")
navigation = st.navigation(sections, expanded=True)
# a command-line import holding the file: wait with a message, never a traceback
data.wait_for_database()
# with users configured: nobody signed in sees the sign-in and nothing else, on every page
ui.require_sign_in()
ui.sidebar()
ui.sidebar_controls_first()
# above every page while anyone on the network can reach the dashboard without signing in
ui.exposure_banner()
try:
    navigation.run()
except Exception:
    # Streamlit logs the traceback on the way out and, with client.showErrorDetails off, shows
    # only a generic English line in the browser: say what happened in both languages first.
    st.error(ui.tr("page_failed"), icon=":material/error:")
    raise
