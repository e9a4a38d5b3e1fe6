"""The 预算评审 page under AppTest, on the hand-worked requests of tests/budget_request_fixture.py
(requested year 2026, reviewed against 2025), and on a database without requests."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from perfbudget import db
from tests.budget_request_fixture import seed_budget_review

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/budget_requests.py"
TIMEOUT = 60


def _clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


def _app(path: Path, monkeypatch) -> AppTest:
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    monkeypatch.setenv("PERFBUDGET_INBOX", "0")
    _clear_caches()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def review_app(tmp_path, monkeypatch):
    path = tmp_path / "requests.duckdb"
    conn = db.connect(path)
    seed_budget_review(conn, 2026)
    conn.close()
    yield _app(path, monkeypatch)
    _clear_caches()


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_the_page_shows_totals_suggested_amounts_and_reasons(review_app):
    at = review_app
    assert at.title[0].value == "预算评审（预算安排核成本）"
    assert at.selectbox(key="breq_year").value == 2026
    # D1 + D2 (fixture docstring): requested 7,070,000.01 + 3,570,000 = 10,640,000.01,
    # suggested 6,465,000 + 3,260,000 = 9,725,000, cut 915,000.01
    assert _metric(at, "申请金额") == "1,064.00万元"
    assert _metric(at, "建议安排") == "972.50万元"
    assert _metric(at, "核减") == "91.50万元"
    # A1, A2, X2, N2, N5, F1, F4 are cut
    assert _metric(at, "建议核减的申请") == "7个项目"
    totals, detail = at.dataframe[0].value, at.dataframe[1].value
    assert list(totals["部门编码"]) == ["D1", "D2"]
    assert list(totals["核减（万元）"]) == [60.50, 31.00]  # 605,000.01 and 310,000 元
    assert len(detail) == 13
    a1 = detail[detail["项目编码"] == "A1"].iloc[0]
    assert (a1["按成本核定（万元）"], a1["按上年结余核定（万元）"], a1["建议安排（万元）"]) == (
        65.0,
        70.0,
        65.0,
    )
    assert a1["参照依据"] == "成本定额标准"
    # last year's A1: 700,000 of 1,000,000 spent, 30% left
    assert (a1["上年支出（万元）"], a1["上年执行率"], a1["上年结转结余率"]) == (70.0, 70.0, 30.0)
    assert a1["审核意见"].startswith("申请单位成本8.20元/平方米，高于标准6.50元/平方米26.2%")
    assert detail[detail["项目编码"] == "F1"].iloc[0]["参照依据"] == "建议成本标准"
    assert at.get("download_button")


def test_only_the_requests_to_cut_and_the_english_switch(review_app):
    at = review_app
    at.toggle(key="breq_only_cut").set_value(True).run()
    assert sorted(at.dataframe[1].value["项目编码"]) == ["A1", "A2", "F1", "F4", "N2", "N5", "X2"]
    at.sidebar.toggle[0].set_value(True).run()
    assert not at.exception
    assert at.title[0].value == "Budget request review"
    detail = at.dataframe[1].value
    assert detail.iloc[0]["Reasons"].startswith("Requested unit cost 8.20 yuan/平方米")
    assert _metric(at, "Requested") == "CNY 10.64 mn"


def test_without_requests_the_page_says_how_to_import_them(tmp_path, monkeypatch):
    path = tmp_path / "plain.duckdb"
    db.connect(path).close()  # a database file that exists: no demo is built into it
    at = _app(path, monkeypatch)
    assert any("尚无预算申请" in str(i.value) for i in at.info)
    assert not at.dataframe
    _clear_caches()
