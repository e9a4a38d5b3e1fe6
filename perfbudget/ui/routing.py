"""The router's workarounds: the default page reached by its own name, the sidebar's
selectors above the page list."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx


def open_default_page_by_name(name: str) -> None:
    """Called before st.navigation: a link to /overview (the default page's file name, which
    Streamlit serves only at /) opens the overview instead of Streamlit's English-only "Page
    not found" dialog over it."""
    ctx = get_script_run_ctx(suppress_warning=True)
    manager = getattr(ctx, "pages_manager", None)
    if manager is None or manager.intended_page_script_hash:
        return
    if (manager.intended_page_name or "").strip("/") == name:
        # a Streamlit internal, not its public API: the intent is read by st.navigation next
        manager.set_script_intent("", "")


# The sidebar lists 18 pages above the language switch and the year/month selectors: on a
# 1280×800 screen the month was below the fold. Show the selectors first, the pages under them.
# On a laptop the main column keeps 2rem a side, not Streamlit's 5rem: 160 px more for the
# tables, whose right-hand columns were cut off at 1280.
SIDEBAR_CONTROLS_FIRST = """<style>
[data-testid="stSidebarContent"] { display: flex; flex-direction: column; }
[data-testid="stSidebarHeader"] { order: -2; }
[data-testid="stSidebarUserContent"] { order: -1; padding-bottom: 0.5rem; }
@media (max-width: 1500px) {
  [data-testid="stMainBlockContainer"] { padding-left: 2rem; padding-right: 2rem; }
}
</style>"""


def sidebar_controls_first() -> None:
    """The sidebar's own controls (language, year, month) above the page list; a laptop's
    main column without the wide side margins."""
    st.html(SIDEBAR_CONTROLS_FIRST)
