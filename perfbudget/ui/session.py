"""The session: the router, the language switch, the user and their scope, the one
year/month selector in the sidebar, and the banner of a dashboard open to the network."""

from __future__ import annotations

import ipaddress

import streamlit as st

from perfbudget import data
from perfbudget.i18n import t
from perfbudget.scope import Scope
from perfbudget.ui.markdown import md_text


def ensure_router() -> None:
    """Every page calls this first. A link straight to a page (/execution) on a freshly started
    server reaches Streamlit before app.py has ever called st.navigation, and Streamlit then
    runs the page alone, the old pages/-folder way: no sidebar, no period, an empty page.
    Switch to the router and rerun: the same URL then runs through app.py."""
    # a Streamlit internal, not its public API: imported only where this workaround uses it
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def lang() -> str:
    return "en" if st.session_state.get("lang_en") else "zh"


def tr(key: str, **values: object) -> str:
    return t(key, lang(), **values)


# --- who is using it, and what they may see ---------------------------------------------


def current_scope() -> Scope:
    """Everything, until sign-in and roles arrive; then the user's departments and rights."""
    return Scope.everything()


def export_scope() -> Scope:
    """What the user may see, minus sensitive (涉密) projects: the scope of any file that
    leaves the system."""
    scope = current_scope()
    return Scope(departments=scope.departments, include_sensitive=False)


def user_name() -> str:
    """Who is importing: the signed-in user's e-mail or name, else a generic label."""
    user = getattr(st, "user", None)
    if user is not None and user.get("is_logged_in"):
        return str(user.get("email") or user.get("name") or tr("upload_user"))
    return tr("upload_user")


# --- the sidebar: language, year and month ----------------------------------------------


def sidebar() -> None:
    """Language switch, the shared year/month selector and the synthetic-data label."""
    with st.sidebar:
        st.toggle(t("language", "en"), key="lang_en")
        periods = data.available_periods(current_scope())
        if periods.empty:
            st.session_state.pop("period", None)
        else:
            years = [int(y) for y in periods["year"]]
            year = st.selectbox(tr("year"), years, key="year")
            last = periods.loc[periods["year"] == year, "last_month"].iloc[0]
            last_month = 12 if last != last or last is None else int(last)
            months = list(range(1, last_month + 1)) or [12]
            if st.session_state.get("month") not in months:
                st.session_state["month"] = months[-1]
            # The widget's key carries the language: Streamlit keeps a selectbox's labels while
            # its key stays the same, so 12月 would survive the switch to English.
            widget_key = f"month_{lang()}"
            st.session_state[widget_key] = st.session_state["month"]
            month = st.selectbox(
                tr("month"),
                months,
                key=widget_key,
                format_func=lambda m: tr("month_n", m=m),
                on_change=_remember_month,
                args=(widget_key,),
            )
            st.session_state["period"] = (int(year), int(month))
        if data.is_synthetic():
            st.warning(tr("synthetic_badge"), icon=":material/science:")


def _remember_month(widget_key: str) -> None:
    st.session_state["month"] = st.session_state[widget_key]


def current_period() -> tuple[int, int] | None:
    """The (year, month) chosen in the sidebar; None when the database is empty."""
    return st.session_state.get("period")


def require_period() -> tuple[int, int]:
    """The chosen period, or an empty-state message and a stop when there is no data."""
    period = current_period()
    if period is None:
        st.info(tr("no_data"), icon=":material/upload_file:")
        st.stop()
    return period


# --- where the dashboard listens --------------------------------------------------------

LOOPBACK_NAMES = ("localhost",)


def listen_address() -> str:
    """The address the server binds (server.address: scripts/start.sh passes 127.0.0.1 unless
    told --listen ADDRESS); empty means every interface."""
    return str(st.get_option("server.address") or "").strip()


def is_loopback(address: str) -> bool:
    """127.0.0.1, ::1, localhost: reachable from this machine only. Empty, 0.0.0.0, :: or any
    other address: reachable from the network."""
    host = address.strip().strip("[]")
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sign_in_configured() -> bool:
    """Whether visitors must sign in. There is no sign-in yet (a later issue brings st.login
    and roles); until then anyone who reaches the port sees and changes everything."""
    return False


def exposure_banner() -> None:
    """On every page (app.py): a red banner while the dashboard listens beyond this machine
    and nobody has to sign in."""
    address = listen_address()
    if is_loopback(address) or sign_in_configured():
        return
    st.error(tr("exposed_banner", address=md_text(address or "0.0.0.0")), icon=":material/lan:")
