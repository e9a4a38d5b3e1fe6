"""Streamlit pieces shared by every page: the language switch, the one year/month selector,
the synthetic-data label, the user's scope. Pages call these; no business rule lives here."""

from __future__ import annotations

import streamlit as st

from perfbudget import data
from perfbudget.i18n import t
from perfbudget.scope import Scope

LIGHT_COLOURS = {
    "red": "#d62728",
    "yellow": "#f2b701",
    "green": "#2ca02c",
    "blue": "#1f77b4",
    "grey": "#9e9e9e",
}


def lang() -> str:
    return "en" if st.session_state.get("lang_en") else "zh"


def tr(key: str, **values: object) -> str:
    return t(key, lang(), **values)


def current_scope() -> Scope:
    """Everything, until sign-in and roles arrive; then the user's departments and rights."""
    return Scope.everything()


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
            month = st.selectbox(
                tr("month"), months, key="month", format_func=lambda m: tr("month_n", m=m)
            )
            st.session_state["period"] = (int(year), int(month))
        if data.is_synthetic():
            st.warning(tr("synthetic_badge"), icon=":material/science:")


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
