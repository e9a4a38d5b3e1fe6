"""The 成本分析 (Costs) page under AppTest, on the hand fixture plus its cost rows
(tests/hand_fixture.py: seed_hand_costs, every figure worked out there) and a class of six
projects at the domain's example unit costs 4, 5, 6, 8, 12, 40 元/公里 (P25 5.25, P75 11,
fence 19.625: 40 is an outlier; suggested standard 5, met by 4 and 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from perfbudget import db
from tests.hand_fixture import seed_hand_costs, seed_hand_fixture

APP = str(Path(__file__).resolve().parents[2] / "app.py")
ROAD = [("R1", "4"), ("R2", "5"), ("R3", "6"), ("R4", "8"), ("R5", "12"), ("R6", "40")]


@pytest.fixture
def cost_app(tmp_path, monkeypatch):
    path = tmp_path / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    seed_hand_costs(conn)
    for code, cost in ROAD:
        conn.execute(
            "insert into projects (year, project_code, project_name, department_code,"
            " adjusted_budget_yuan, service_class) values (2025, ?, ?, 'D02', 100000,"
            " '道路养护')",
            [code, f"{code}道路养护"],
        )
        conn.execute(
            "insert into costs (year, project_code, cost_item, amount_yuan,"
            " output_quantity, output_unit) values (2025, ?, '运行维护', ?, 10, '公里')",
            [code, int(cost) * 10],
        )
    conn.close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page("pages/costs.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    yield at
    st.cache_data.clear()
    st.cache_resource.clear()


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _pick(at: AppTest, label: str) -> AppTest:
    # the options are the classes' positions, shown by their labels
    box = at.selectbox(key="cost_class_pick")
    box.set_value(box.options.index(label)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_class_with_most_projects_comes_first_with_its_suggested_standard(cost_app):
    at = cost_app
    assert at.selectbox(key="cost_class_pick").options[0] == "道路养护（公里）· 6个项目"
    # the unit in the label, the value alone (a value with its unit was cut off on a laptop)
    assert _metrics(at) == {
        "单位成本中位数（元/公里）": "7",
        "P25–P75（元/公里）": "5.25–11",
        "成本定额标准（元/公里）": "—",
        "建议成本标准（元/公里）": "5",
    }
    captions = "\n".join(c.value for c in at.caption)
    assert "建议成本标准5 元/公里：依据6个项目（剔除1个异常值），已有2个项目达到。" in captions
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    traces = {t.get("name"): t for t in spec["data"]}
    assert traces["异常值"]["x"] == [40.0]  # the outlier marked apart
    assert sorted(traces["项目"]["x"]) == [4.0, 5.0, 6.0, 8.0, 12.0]
    assert "R6道路养护" in traces["异常值"]["customdata"][0][0]
    assert {"中位数 7", "建议成本标准 5"} <= set(traces)  # the lines, in the legend


def test_the_class_table_says_why_projects_are_left_out(cost_app):
    at = _pick(cost_app, "绿化养护（平方米）· 3个项目")
    assert _metrics(at)["单位成本中位数（元/平方米）"] == "10"
    assert _metrics(at)["建议成本标准（元/平方米）"] == "—"  # three projects: fewer than 5
    table = at.dataframe[0].value
    reasons = dict(zip(table["项目编码"], table["未参与比较原因"], strict=True))
    assert reasons == {
        "P004": "",
        "P001": "",
        "P002": "",
        "P009": "各成本行产出数量不一致",
        "P005": "产出单位不同",
        "P008": "缺产出数量或单位",
    }
    row = table[table["项目编码"] == "P004"].iloc[0]
    assert (row["单位成本（元）"], row["参照（元）"], row["参照依据"], row["偏离"]) == (
        11.0,
        10.0,
        "同类中位数",
        10.0,
    )
    assert (row["人员成本"], row["设施设备"]) == (50.0, 50.0)


def test_each_project_is_shown_against_the_suggested_standard_too(cost_app):
    # 道路养护: no standard, so the rule's reference is the median 7; the suggestion is 5
    table = cost_app.dataframe[0].value
    rows = {code: r for code, r in zip(table["项目编码"], table.to_dict("records"), strict=True)}
    assert (rows["R4"]["参照依据"], rows["R4"]["偏离"]) == ("同类中位数", 14.3)  # 8 ÷ 7 − 1
    assert rows["R4"]["偏离建议标准"] == 60.0  # 8 ÷ 5 − 1
    assert rows["R1"]["偏离建议标准"] == -20.0  # 4 ÷ 5 − 1
    assert rows["R2"]["偏离建议标准"] == 0.0  # 5 meets it


def test_the_standard_is_shown_where_one_exists(cost_app):
    at = _pick(cost_app, "环卫保洁（平方米）· 1个项目")
    assert _metrics(at)["成本定额标准（元/平方米）"] == "5"
    row = at.dataframe[0].value.iloc[0]
    assert (row["参照依据"], row["偏离"]) == ("成本定额标准", -20.0)
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert "成本定额标准 5" in {t.get("name") for t in spec["data"]}


def test_the_overview_lists_every_class(cost_app):
    overview = cost_app.dataframe[-1].value
    assert list(overview["一类事"]) == ["道路养护", "绿化养护", "环卫保洁", "绿化养护"]
    road = overview.iloc[0]
    assert (
        road["项目数"],
        road["离散度（P75÷P25）"],
        road["建议成本标准"],
        road["高于参照的项目数"],
    ) == (6, 2.1, 5.0, 3)  # 11 ÷ 5.25 = 2.095…; 8, 12, 40 > 7


def test_the_department_medians_and_the_english_page(cost_app):
    at = cost_app
    # no project names a budget unit in the fixture: the page groups by department
    assert at.radio(key="cost_group_by").value == "department"
    at.toggle(key="lang_en").set_value(True).run()
    assert not at.exception
    assert at.title[0].value == "Cost benchmarking (same-class services)"
    assert "Suggested standard (yuan/公里)" in _metrics(at)


def test_a_year_without_costs_says_so(tmp_path, monkeypatch):
    path = tmp_path / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)  # spending and indicators, no cost row
    conn.close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(APP, default_timeout=30)
    at.run()
    at.switch_page("pages/costs.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert any("2025年尚无成本数据" in i.value for i in at.info)
    assert not at.get("plotly_chart")
    st.cache_data.clear()
