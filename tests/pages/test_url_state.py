"""A link or a reload keeps the view (issue 14): the language, year and month live in the
address beside a page's own parameters, ?lang=en&year=2025&month=6&project=P001. The hand
fixture has spending to July 2025 (tests/hand_fixture.py)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

from perfbudget import db
from tests.hand_fixture import seed_hand_fixture

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _fresh_session(tmp_path, monkeypatch, page: str, **query: str) -> AppTest:
    """A new browser session opening `page` at an address with `query` (a shared link)."""
    path = tmp_path / "hand.duckdb"
    if not path.exists():
        conn = db.connect(path)
        seed_hand_fixture(conn)
        conn.close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    monkeypatch.setenv("PERFBUDGET_INBOX", "0")
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=30)
    at.query_params.update(query)
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _param(at: AppTest, name: str) -> str | None:
    value = at.query_params.get(name)
    return value[0] if isinstance(value, list) else value


def test_a_link_opens_in_its_language_and_period(tmp_path, monkeypatch):
    at = _fresh_session(
        tmp_path, monkeypatch, "pages/execution.py", lang="en", year="2025", month="6"
    )
    assert at.title[0].value == "Budget execution"
    assert at.sidebar.toggle(key="lang_en").value is True
    assert at.sidebar.selectbox(key="year").value == 2025
    assert at.sidebar.selectbox(key="month_en").value == 6
    assert at.caption[0].value.startswith("Data as of 2025-06")
    st.cache_resource.clear()


def test_the_address_follows_the_view_so_a_reload_keeps_it(tmp_path, monkeypatch):
    at = _fresh_session(tmp_path, monkeypatch, "pages/execution.py")
    # the defaults: Chinese, the latest month with data, which the address leaves out (a
    # reload then shows the newest data, after an import too)
    assert (_param(at, "lang"), _param(at, "year"), _param(at, "month")) == ("zh", None, None)
    at.sidebar.selectbox(key="month_zh").set_value(5).run()
    assert _param(at, "month") == "5"
    at.sidebar.toggle(key="lang_en").set_value(True).run()
    assert (_param(at, "lang"), _param(at, "month")) == ("en", "5")
    # a reload is a new session at that address
    again = _fresh_session(
        tmp_path,
        monkeypatch,
        "pages/execution.py",
        **{name: _param(at, name) for name in ("lang", "year", "month")},
    )
    assert again.title[0].value == "Budget execution"
    assert again.sidebar.selectbox(key="month_en").value == 5
    st.cache_resource.clear()


def test_a_month_the_data_does_not_have_falls_back_to_the_latest(tmp_path, monkeypatch):
    at = _fresh_session(tmp_path, monkeypatch, "pages/overview.py", year="2025", month="11")
    assert at.sidebar.selectbox(key="month_zh").value == 7
    assert _param(at, "month") is None  # the latest: left out of the address
    st.cache_resource.clear()


def test_a_project_link_keeps_its_project_and_gains_the_period(tmp_path, monkeypatch):
    at = _fresh_session(tmp_path, monkeypatch, "pages/project.py", project="P004", month="5")
    assert _param(at, "project") == "P004"
    assert at.sidebar.selectbox(key="month_zh").value == 5
    assert _param(at, "month") == "5"
    st.cache_resource.clear()
