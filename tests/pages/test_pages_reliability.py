"""The 财政可靠性 page under AppTest, on the hand fixture with two earlier years and a December
(tests/pefa_fixture.py gives every figure by hand), on the hand fixture alone (no completed
year), and in English."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from perfbudget import db
from tests.hand_fixture import seed_hand_fixture
from tests.pefa_fixture import pefa_db, seed_pefa_years

APP = str(Path(__file__).resolve().parents[2] / "app.py")
PAGE = "pages/reliability.py"


def _app(tmp_path, monkeypatch, *, years: bool) -> AppTest:
    path = tmp_path / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    if years:
        seed_pefa_years(conn)
    conn.close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def three_years(tmp_path, monkeypatch):
    yield _app(tmp_path, monkeypatch, years=True)
    st.cache_data.clear()


def _metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_the_district_scores_and_each_department_over_three_years(three_years):
    at = three_years
    assert at.title[0].value == "财政可靠性（PEFA）"
    assert _metric(at, "评价年度") == "2023–2025"
    # one district: the district is the whole, over its departments. PI-1 A, B, D → B; PI-2
    # A, A, C (2025: 11.4%) → A
    assert _metric(at, "PI-1 支出总额") == "B"
    assert _metric(at, "PI-2 支出结构") == "A"
    assert at.radio(key="reliability_level").value == "department"
    heads = at.dataframe[0].value
    assert list(heads["评价对象"]) == ["区教育局"] * 3 + ["区卫生健康委员会"] * 3 + ["区保密办"] * 3
    # D01 2025: 9,050,000 ÷ 23,000,000 = 39.3% → D; D02 1,125,000 ÷ 1,300,000 = 86.5% → C
    assert list(heads["决算 ÷ 年初预算"])[:3] == [100.0, 90.0, 39.3]
    assert list(heads["PI-1 当年等级"])[3:6] == ["A", "B", "C"]
    assert set(heads["PI-1 评分"]) == {"B"}


def test_the_calculation_of_the_district_shows_k_and_the_deviations(three_years):
    at = three_years
    at.radio(key="reliability_level").set_value("district").run()
    assert not at.exception
    assert at.selectbox(key="reliability_head").value == "示例区"
    texts = "\n".join(m.value for m in at.markdown)
    # 2025: k = 10,185,000 ÷ 24,400,000 = 0.4174; Σ deviations 1,164,713.11 over 10,185,000 → 11.4% C
    assert "k = 决算合计 ÷ 年初预算合计 = 1,018.50万元 ÷ 2,440.00万元 = 0.4174" in texts
    assert "Σ|决算ᵢ − k·预算ᵢ| = 116.47万元，÷ Σk·预算ᵢ 1,018.50万元 = 11.4%，当年等级C" in texts
    calc = at.dataframe[-1].value  # the latest year's table, the last one on the page
    assert list(calc["部门"]) == ["区教育局", "区卫生健康委员会", "区保密办"]
    assert list(calc["|决算 − k × 年初预算|（万元）"]) == [55.06, 58.24, 3.17]


def test_in_english(three_years):
    at = three_years
    at.sidebar.toggle(key="lang_en").set_value(True).run()
    assert not at.exception
    assert at.title[0].value == "Fiscal reliability (PEFA)"
    assert _metric(at, "PI-1 aggregate outturn") == "B"


def test_without_a_completed_year_the_page_says_so(tmp_path, monkeypatch):
    at = _app(tmp_path, monkeypatch, years=False)
    assert any("还没有完整年度" in i.value for i in at.info)
    assert not at.metric
    st.cache_data.clear()


def test_an_empty_database_shows_the_empty_state(tmp_path, monkeypatch):
    # the data layer fills an empty database with the demo: here the demo builder does nothing
    path = tmp_path / "empty.duckdb"
    db.connect(path).close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    fake_demo = types.ModuleType("perfbudget.demo")
    fake_demo.build_demo = lambda conn, *args, **kwargs: None  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "perfbudget.demo", fake_demo)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    assert any("还没有数据" in i.value for i in at.info)
    assert not at.metric
    st.cache_data.clear()


def test_with_several_districts_the_city_is_the_whole_and_districts_the_heads(
    tmp_path, monkeypatch
):
    # 甲区 budget 100, outturn 105; 乙区 100, 95, each year: the city 200 of 200 → A; over its
    # districts k = 1, deviations 5 + 5 = 10 over 200 = 5% → B (5% is not below 5%)
    path = tmp_path / "city.duckdb"
    pefa_db(
        [
            (y, district, dept, None, "100", spent, 12)
            for y in (2023, 2024, 2025)
            for district, dept, spent in (("甲区", "A1", "105"), ("乙区", "B1", "95"))
        ],
        str(path),
    ).close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert _metric(at, "PI-1 支出总额") == "A"
    assert _metric(at, "PI-2 支出结构") == "B"
    assert at.radio(key="reliability_level").value == "district"
    assert list(at.dataframe[0].value["评价对象"]) == ["乙区"] * 3 + ["甲区"] * 3
    st.cache_data.clear()


def test_the_functional_view_is_the_district_over_its_project_categories(tmp_path, monkeypatch):
    # the domain example across two departments (tests/queries/test_pefa.py, by_category) in
    # 万元: D1 运行维护类 100万 → 90万 and 投资建设类 50万 → 70万, D2 no 项目类别 50万 → 60万;
    # over the departments 10万 of 220万 = 4.5% → A, over the 项目类别 40万 of 220万 = 18.2% → D
    path = tmp_path / "function.duckdb"
    projects = (
        ("D1", "1000000", "900000", "运行维护类"),
        ("D1", "500000", "700000", "投资建设类"),
        ("D2", "500000", "600000", None),
    )
    conn = pefa_db(
        [
            (y, "甲区", dept, None, b, a, 12)
            for y in (2023, 2024, 2025)
            for dept, b, a, _ in projects
        ],
        str(path),
    )
    for i, (*_, category) in enumerate(projects * 3, start=1):
        conn.execute(
            "update projects set category = ? where project_name = ?", [category, f"项目{i}"]
        )
    conn.close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert _metric(at, "PI-2 支出结构") == "A"  # the district over its departments
    radio = at.radio(key="reliability_level")
    assert radio.options == ["各区", "各部门", "按项目类别（功能分类）"]
    radio.set_value("district_category").run()
    assert not at.exception, [e.value for e in at.exception]
    heads = at.dataframe[0].value
    assert list(heads["评价对象"]) == ["甲区"] * 3
    assert set(heads["结构偏差"]) == {18.2} and set(heads["PI-2 评分"]) == {"D"}
    assert set(heads["PI-1 评分"]) == {"B"}  # 220 ÷ 200 = 110%: the district's own PI-1
    calc = at.dataframe[-1].value
    assert list(calc["项目类别"]) == ["投资建设类", "运行维护类", "（未分类）"]
    assert list(calc["|决算 − k × 年初预算|（万元）"]) == [15.0, 20.0, 5.0]
    at.sidebar.toggle(key="lang_en").set_value(True).run()
    assert not at.exception
    assert "By project category (functional view)" in at.radio(key="reliability_level").options
    st.cache_data.clear()
