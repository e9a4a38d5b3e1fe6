"""Shared fixtures. `hand_db` is the small district of tests/hand_fixture.py whose every figure
is worked out by hand in that file's docstring."""

from __future__ import annotations

import pytest

from perfbudget import db
from tests.hand_fixture import seed_hand_fixture


@pytest.fixture(autouse=True)
def router_as_on_a_running_server(monkeypatch):
    """A running server leaves Streamlit's old pages/-folder mode for good the first time
    app.py calls st.navigation. AppTest resets that before every run, so every rerun would run
    a page on its own, without app.py and its sidebar. Keep the server's behaviour in every
    AppTest (a no-op for tests that do not use AppTest)."""
    import streamlit.testing.v1.app_test as app_test
    from streamlit.runtime.pages_manager import PagesManager

    class ServerPagesManager(PagesManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    monkeypatch.setattr(app_test, "PagesManager", ServerPagesManager)


@pytest.fixture
def empty_db():
    conn = db.connect()
    yield conn
    conn.close()


@pytest.fixture
def hand_db(empty_db):
    seed_hand_fixture(empty_db)
    return empty_db
