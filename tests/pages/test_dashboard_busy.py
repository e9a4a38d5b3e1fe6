"""A dashboard that finds its database held by a command-line import (issue 9, item 5): the
page waits and retries with a message instead of showing DatabaseBusyError's traceback, opens
when the file is free, and after the wait (PERFBUDGET_DASHBOARD_WAIT) says so plainly and
stops. The import is one transaction, so the page then shows the data before or after it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from perfbudget import db
from tests.hand_fixture import seed_hand_fixture

APP = str(Path(__file__).resolve().parents[2] / "app.py")


@pytest.fixture
def hand_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    conn.close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield path
    st.cache_data.clear()
    st.cache_resource.clear()


def hold(path: Path, seconds: float) -> subprocess.Popen:
    """A command-line import holding the file read-write for a while."""
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, time
            conn = duckdb.connect({str(path)!r})
            print("ready", flush=True)
            time.sleep({seconds})
            conn.close()
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "ready"
    return holder


def test_the_dashboard_waits_for_a_command_line_import_then_opens(hand_file, monkeypatch):
    monkeypatch.setenv("PERFBUDGET_DASHBOARD_WAIT", "60")
    holder = hold(hand_file, 3)
    try:
        started = time.monotonic()
        at = AppTest.from_file(APP, default_timeout=90).run()
        took = time.monotonic() - started
    finally:
        holder.wait(30)
    assert not at.exception, [e.value for e in at.exception]
    assert took >= 2  # it waited for the holder rather than failing at once
    assert at.title[0].value == "预算绩效总览"
    # the waiting message is gone once the page could open
    assert not [i for i in at.info if "正被命令行导入占用" in i.value]


def test_after_the_wait_the_dashboard_says_so_plainly(hand_file, monkeypatch):
    monkeypatch.setenv("PERFBUDGET_DASHBOARD_WAIT", "1")
    holder = hold(hand_file, 60)
    try:
        at = AppTest.from_file(APP, default_timeout=60).run()
    finally:
        holder.kill()
        holder.wait()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.error) == 1
    message = at.error[0].value
    assert "数据库仍被另一个进程" in message and "请等它结束后刷新本页" in message
    assert "DatabaseBusyError" not in message and "Traceback" not in message
    assert not at.title  # the page stopped before drawing anything


def test_the_waiting_message_in_english(hand_file, monkeypatch):
    monkeypatch.setenv("PERFBUDGET_DASHBOARD_WAIT", "1")
    holder = hold(hand_file, 60)
    try:
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["lang_en"] = True
        at.run()
    finally:
        holder.kill()
        holder.wait()
    assert not at.exception, [e.value for e in at.exception]
    assert at.error[0].value.startswith("The database is still held by another process")
