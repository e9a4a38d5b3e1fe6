"""The router's one workaround: the default page reached by its own name."""

from __future__ import annotations

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
