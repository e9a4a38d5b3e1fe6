"""A fresh checkout has no database: the first start builds the synthetic demo district and
says so; an existing empty database is left empty."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from perfbudget import data, db, results

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture(autouse=True)
def clear_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def test_first_start_without_a_database_builds_the_labelled_demo(tmp_path, monkeypatch):
    path = tmp_path / "fresh" / "perfbudget.duckdb"
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any("合成" in w.value for w in at.sidebar.warning)
    # the page opened before the demo's stored figures were computed, in the background
    data.join_background(timeout=300)
    st.cache_resource.clear()  # let go of the file before opening it here
    conn = db.connect(path, read_only=True)
    assert conn.execute("select count(*) from projects").fetchall()[0][0] > 1000
    assert conn.execute("select count(*) from results_stale").fetchall() == [(0,)]
    year = int(dict(conn.execute("select key, value from meta").fetchall())["demo_year"])
    assert results.is_stored_period(conn, year, 12)
    assert dict(conn.execute("select key, value from meta").fetchall())["is_synthetic"] == "true"
    conn.close()


def test_an_existing_empty_database_stays_empty(tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    db.connect(path).close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert any("还没有数据" in i.value for i in at.info)
