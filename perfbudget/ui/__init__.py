"""Streamlit pieces shared by every page (being split into modules by concern)."""

from perfbudget.ui.tables import *  # noqa: F403
