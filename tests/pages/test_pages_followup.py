"""The follow-up pages of issue 5 under AppTest, on the hand fixture (tests/hand_fixture.py):
dual monitoring, the project page, self-evaluation, rectification, disclosure, year-end
forecast, the department league table, settings, and the warnings page's follow-up."""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from perfbudget import db
from tests.hand_fixture import seed_hand_fixture

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 60

RECTIFICATIONS = """
    insert into rectifications (project_code, issue, feedback_date, done_date) values
    ('P001', '按时完成', DATE '2025-05-01', DATE '2025-05-20'),
    ('P001', '延期完成', DATE '2025-05-01', DATE '2025-06-20'),
    ('P002', '逾期未改', DATE '2025-05-01', null),
    ('P003', '尚未到期', DATE '2025-07-15', null),
    ('P004', '八月才完成', DATE '2025-05-01', DATE '2025-08-10')
"""


def _clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


def _app(tmp_path, monkeypatch, *extra_sql: str, history: bool = False) -> AppTest:
    path = tmp_path / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    for sql in extra_sql:
        conn.execute(sql)
    if history:
        # 2024: three district projects that had spent 50 of 100 by July → s(7) = 0.5
        for code in ("H1", "H2", "H3"):
            conn.execute(
                "insert into projects (year, project_code, project_name, department_code,"
                " adjusted_budget_yuan) values (2024, ?, ?, 'D01', 100)",
                [code, code],
            )
            conn.execute(
                "insert into spending (year, month, project_code, cumulative_yuan)"
                " values (2024, 7, ?, 50), (2024, 12, ?, 100)",
                [code, code],
            )
    conn.close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    _clear_caches()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    return at


@pytest.fixture
def hand_app(tmp_path, monkeypatch):
    at = _app(
        tmp_path,
        monkeypatch,
        RECTIFICATIONS,
        "insert into self_evaluations (year, project_code, claimed_total_score) values (2025, 'P001', 85)",
    )
    yield at
    _clear_caches()


# P001's year-end values, making its self-evaluation complete: 维修校舍数 10 of ≥100 → 20 × 0.1
# = 2, 验收合格率 0 → 0; execution 10 × 560,000 ÷ 1,200,000 = 4.67 (July carried to December);
# (4.67 + 2) ÷ 40 × 100 = 16.67 → 差, against its claimed 85 → 良: over-scored by 68.33
P001_YEAR_END = """
    insert into indicator_actuals (year, project_code, level1, level2, indicator_name, month,
                                   actual_value) values
    (2025, 'P001', '产出指标', '数量指标', '维修校舍数', 12, 10),
    (2025, 'P001', '产出指标', '质量指标', '验收合格率', 12, 0)
"""


@pytest.fixture
def year_end_app(tmp_path, monkeypatch):
    at = _app(
        tmp_path,
        monkeypatch,
        RECTIFICATIONS,
        P001_YEAR_END,
        "insert into self_evaluations (year, project_code, claimed_total_score) values (2025, 'P001', 85)",
    )
    yield at
    _clear_caches()


@pytest.fixture
def history_app(tmp_path, monkeypatch):
    yield _app(tmp_path, monkeypatch, history=True)
    _clear_caches()


@pytest.fixture
def empty_app(tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    db.connect(path).close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    fake_demo = types.ModuleType("perfbudget.demo")
    fake_demo.build_demo = lambda conn, *args, **kwargs: None
    monkeypatch.setitem(sys.modules, "perfbudget.demo", fake_demo)
    _clear_caches()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    yield at
    _clear_caches()


def _goto(at: AppTest, page: str, **query) -> AppTest:
    at.query_params.clear()
    at.query_params.update(query)
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += (
        [e.value for e in at.info] + [e.value for e in at.success] + [e.value for e in at.error]
    )
    parts += [e.value for e in at.warning] + [h.value for h in at.header]
    return "\n".join(str(p) for p in parts)


def _metric(at: AppTest, label: str) -> str:
    matches = [m.value for m in at.metric if m.label == label]
    assert matches, f"no metric {label!r} among {[m.label for m in at.metric]}"
    return matches[0]


def _figure(at: AppTest, index: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


# --- dual monitoring ------------------------------------------------------------------------


def test_dual_monitoring_places_the_four_projects_in_their_quadrants(hand_app):
    at = _goto(hand_app, "pages/dual_monitoring.py")
    assert at.title[0].value == "双监控：支出进度与产出进度"
    table = at.dataframe[0].value.set_index("项目编码")
    assert table["象限"].to_dict() == {
        "P001": "支出快于产出",
        "P008": "支出快于产出",
        "P002": "产出快于支出",
        "P003": "产出快于支出",
    }
    assert table.loc["P001", "进度比"] == 0.8  # 0.8 exactly: not slow
    assert table.loc["P001", "产出进度"] == 73.3  # (20 × 0.6 + 10 × 1) ÷ 30
    assert table.loc["P008", "偏差 R − 产出"] == 0.56  # 0.857143 − 0.3
    assert _metric(at, "支出快于产出（个项目）") == "2"
    assert _metric(at, "进度与产出同步（个项目）") == "0"
    spec = _figure(at)
    traces = {t["name"]: t for t in spec["data"]}
    assert set(traces) == {"支出快于产出", "产出快于支出"}
    assert traces["支出快于产出"]["x"] == pytest.approx([0.8, 0.857143], abs=1e-6)
    lines = {s["type"]: s for s in spec["layout"]["shapes"]}
    assert lines["line"]["x0"] == 0.8 or spec["layout"]["shapes"][1]["y0"] == 0.8
    names = {a["text"] for a in spec["layout"]["annotations"]}
    assert {"<b>进度与产出同步</b>", "<b>双双滞后</b>"} <= names


def test_dual_monitoring_filters_by_quadrant(hand_app):
    at = _goto(hand_app, "pages/dual_monitoring.py")
    at.multiselect(key="dual_quadrant").select("outputs_ahead").run()
    assert sorted(at.dataframe[0].value["项目编码"]) == ["P002", "P003"]


# --- project page ---------------------------------------------------------------------------


def test_project_page_opens_from_the_url_with_everything_about_p003(hand_app):
    at = _goto(hand_app, "pages/project.py", project="P003")
    texts = _texts(at)
    assert "P003 新建学校工程" in texts
    assert _metric(at, "调整后预算") == "2,000.00万元"
    assert _metric(at, "已支出") == "700.00万元"
    assert _metric(at, "预算执行率") == "35.0%"
    assert _metric(at, "产出进度") == "95.0%"
    flags = at.dataframe[0].value.set_index("规则")
    assert flags.loc["支出进度偏慢", "持续"] == "自3月起连续5个月"
    assert flags.loc["支出与产出不符", "持续"] == "自7月起连续1个月"
    assert flags.loc["支出进度偏慢", "跟进"] == "—"
    # no self-evaluation table and no year-end values: 无自评, never 差 and no budget review
    # (docs/figures.md#self-evaluation-status; it used to be graded 差 on July's figures and marked)
    assert "无自评：该项目既没有自评表" in texts
    assert not [m for m in at.metric if m.label == "重算等级"]
    assert "下年预算重点审核" not in texts
    rectification = next(df.value for df in at.dataframe if "问题" in df.value.columns)
    assert list(rectification["问题"]) == ["尚未到期"]
    assert list(rectification["状态"]) == ["整改中（未到期）"]


def test_project_page_without_a_project_asks_for_one(hand_app):
    at = _goto(hand_app, "pages/project.py")
    assert "请选择一个项目" in _texts(at)
    at.selectbox(key="project_pick").select("P008").run()
    assert "P008 教师培训" in _texts(at)
    assert at.query_params["project"] in ("P008", ["P008"])


def test_project_page_says_when_the_code_is_unknown(hand_app):
    at = _goto(hand_app, "pages/project.py", project="NOPE")
    assert "没有可查看的项目「NOPE」" in _texts(at)


def test_a_followup_on_the_project_page_is_kept_and_shown_on_the_warnings_page(hand_app):
    at = _goto(hand_app, "pages/project.py", project="P003")
    at.selectbox(key="project_followup_rule").select("slow_spending").run()
    at.radio(key="project_followup_P003_status").set_value("已处理")
    at.text_area(key="project_followup_P003_note").input("已约谈单位")
    submit = next(b for b in at.button if b.label == "保存跟进")
    submit.click().run()
    assert not at.exception, [e.value for e in at.exception]
    flags = at.dataframe[0].value.set_index("规则")
    assert flags.loc["支出进度偏慢", "跟进"] == "已处理"
    history = at.dataframe[1].value
    assert list(history["留言"]) == ["已约谈单位"]
    assert len(history["记录人"]) == 1 and history["记录人"].iloc[0]
    at = _goto(at, "pages/warnings.py")
    table = at.dataframe[0].value
    row = table[(table["项目编码"] == "P003") & (table["规则"] == "支出进度偏慢")].iloc[0]
    assert row["跟进"] == "已处理"
    assert row["持续"] == "自3月起连续5个月"


# --- warnings page ----------------------------------------------------------------------------


def test_warnings_page_shows_since_when_each_flag_has_lasted(hand_app):
    at = _goto(hand_app, "pages/warnings.py")
    table = at.dataframe[0].value
    since = {(r["项目编码"], r["规则"]): r["持续"] for _, r in table.iterrows()}
    assert since[("P002", "支出进度偏慢")] == "自3月起连续5个月"
    assert since[("P004", "超预算支出")] == "自7月起连续1个月"
    assert set(table["跟进"]) == {"—"}
    assert "点选表格中的一行" in _texts(at)


# --- self-evaluation ---------------------------------------------------------------------------


def test_selfeval_page_before_year_end_grades_nothing(hand_app):
    # docs/figures.md#self-evaluation-status: without year-end values nothing is scored. This test used to
    # find 5 projects 差 and 2 优 on July's figures, and 5 marked for budget review.
    at = _goto(hand_app, "pages/selfeval.py")
    assert at.title[0].value == "绩效自评"
    texts = _texts(at)
    assert "自评按年末（12月）数据计分" in texts
    assert _metric(at, "差（个项目）") == "0"
    assert _metric(at, "优（个项目）") == "0"
    # P001 has its table (claimed 85) and 2 indicators without year-end values; the other 7
    # projects (P009 is a social insurance fund project) have neither
    assert (
        "还没有自评完整的项目，暂无等级可统计：1个项目自评不完整（有指标缺年末完成值）、7个项目无自评。"
        in texts
    )
    assert "没有自评偏高的项目。" in texts
    assert "没有需要重点审核的项目。" in texts
    unscored = at.dataframe[0].value.set_index("项目编码")
    assert unscored.loc["P001", "自评状态"] == "不完整（2项指标缺年末完成值）"
    assert unscored.index[0] == "P001"
    assert set(unscored.drop(index="P001")["自评状态"]) == {"无自评"}
    assert not at.get("plotly_chart")


def test_selfeval_page_lists_the_over_scored_and_the_budget_review(year_end_app):
    at = _goto(year_end_app, "pages/selfeval.py")
    assert _metric(at, "差（个项目）") == "1"
    assert _metric(at, "优（个项目）") == "0"
    over = at.dataframe[0].value
    assert list(over["项目编码"]) == ["P001"]
    assert over["自报等级"].iloc[0] == "良" and over["重算等级"].iloc[0] == "差"
    assert over["分差"].iloc[0] == pytest.approx(85 - 16.67)
    review = at.dataframe[2].value
    assert list(review["项目编码"]) == ["P001"]
    assert set(review["原因"]) == {"自评等级为「差」"}
    bars = {t["name"]: t for t in _figure(at)["data"]}
    assert sum(bars["差"]["x"]) == 1
    assert "优、良、中、差只计自评完整的1个项目；另有7个项目无自评，不计分、不评级" in _texts(at)


# --- rectification ----------------------------------------------------------------------------


def test_rectification_page_counts_status_and_days(hand_app):
    at = _goto(hand_app, "pages/rectification.py")
    assert "反馈后30天内完成整改" in _texts(at)
    assert _metric(at, "逾期未完成") == "2项"
    assert _metric(at, "按时完成") == "1项"
    assert _metric(at, "逾期后完成") == "1项"
    assert _metric(at, "整改中（未到期）") == "1项"
    assert "2项整改逾期未完成，最长已逾期61天" in _texts(at)
    items = at.dataframe[-1].value.set_index("问题")
    assert items.loc["逾期未改", "逾期天数"] == 61
    assert items.loc["延期完成", "逾期天数"] == 20
    by_department = at.dataframe[0].value.set_index("部门")
    assert by_department.loc["区教育局", "逾期未完成"] == 1


# --- disclosure ----------------------------------------------------------------------------------


def test_disclosure_page_lists_p003_and_leaves_sensitive_projects_out(hand_app):
    at = _goto(hand_app, "pages/disclosure.py")
    texts = _texts(at)
    assert "1个涉密项目（涉及1个部门）依规不公开" in texts
    assert _metric(at, "覆盖率不足的部门") == "2个部门"
    assert _metric(at, "未公开的大额项目") == "1个项目"
    assert list(at.dataframe[0].value["项目编码"]) == ["P003"]
    table = at.dataframe[1].value.set_index("部门编码")
    assert "D03" not in table.index
    assert table.loc["D01", "项目年初预算（万元）"] == 2300.0
    assert table.loc["D01", "覆盖率"] == 0.0


# --- forecast ------------------------------------------------------------------------------------


def test_forecast_page_says_there_is_no_forecast_without_history(hand_app):
    at = _goto(hand_app, "pages/forecast.py")
    assert "无法建立支出曲线，因此不做预测" in _texts(at)
    assert not at.get("plotly_chart")


def test_forecast_page_explains_the_forecast_from_the_district_curve(history_app):
    at = _goto(history_app, "pages/forecast.py")
    assert _metric(at, "预计结余较多（个项目）") == "4"
    assert _metric(at, "按全区曲线（个项目）") == "9"  # P006 too: 0 spent on a 0 budget
    table = at.dataframe[0].value.set_index("项目编码")
    assert sorted(table.index) == ["P002", "P003", "P007", "P009"]
    assert table.loc["P003", "预测全年支出（万元）"] == 1400.0  # 700万 ÷ 0.5
    assert table.loc["P003", "预计结余率"] == 30.0
    assert table.loc["P003", "曲线来源"] == "全区"
    at.selectbox(key="forecast_project").select("P003").run()
    texts = _texts(at)
    assert "s(7) = 50.0%" in texts
    assert "1,400.00万元" in texts
    traces = {t["name"]: t for t in _figure(at)["data"]}
    assert traces["典型进度 s(m)（占全年支出）"]["y"][6] == pytest.approx(0.5)
    projected = traces["按典型曲线推算（至年末）"]["y"]
    assert projected[11] == pytest.approx(0.7)  # forecast execution rate 14M ÷ 20M


# --- league table ------------------------------------------------------------------------------


def test_league_table_ranks_and_reweights(hand_app):
    at = _goto(hand_app, "pages/departments.py")
    table = at.dataframe[0].value
    # D02: execution 1 × 30, rectification 0 × 15 (P004 overdue), disclosure 0 × 10 → 30 ÷ 55
    # D01: 0.621429 × 30 + 0.76 × 30 + 1/3 × 15 + 0 × 10 = 46.44 ÷ 85. P001's self-evaluation
    # (claimed 85, no year-end values) is incomplete, so it has no over-scoring check and no
    # self-evaluation part (docs/figures.md#self-evaluation-status; it used to count as over-scored, a part of
    # 0 × 15 that put D01 at 46.44 ÷ 100 = 46.4, second)
    assert list(table["部门"]) == ["区教育局", "区卫生健康委员会", "区保密办"]
    assert list(table["得分"]) == [54.6, 54.5, 17.1]
    at.number_input(key="league_weight_disclosure").set_value(0.0)
    next(b for b in at.button if b.label == "保存").click().run()
    assert not at.exception
    assert list(at.dataframe[0].value["得分"]) == [66.7, 61.9, 17.1]  # 30 ÷ 45; 46.44 ÷ 75
    trend = _figure(at)
    assert {t["name"] for t in trend["data"]} == {"区卫生健康委员会", "区教育局", "区保密办"}
    assert len(trend["data"][0]["x"]) == 7


# --- settings ------------------------------------------------------------------------------------


def test_settings_refuses_a_red_line_above_yellow_and_writes_nothing(hand_app):
    at = _goto(hand_app, "pages/settings.py")
    assert "仅限管理员" in _texts(at)
    at.number_input(key="threshold_slow_spending_pace_red_below").set_value(0.9)
    next(b for b in at.button if b.label == "保存阈值").click().run()
    assert any("pace_red_below" in e.value for e in at.error)
    at = _goto(at, "pages/dual_monitoring.py")
    assert "进度比 0.80" in _texts(at)


def test_settings_saves_a_threshold_that_every_page_then_uses(hand_app):
    at = _goto(hand_app, "pages/settings.py")
    at.number_input(key="threshold_slow_spending_pace_yellow_below").set_value(0.85)
    next(b for b in at.button if b.label == "保存阈值").click().run()
    assert any("已保存，1项改动" in s.value for s in at.success)
    at = _goto(at, "pages/dual_monitoring.py")
    # P001's pace 0.8 is now below the cut-off: both behind
    assert at.dataframe[0].value.set_index("项目编码").loc["P001", "象限"] == "双双滞后"
    at = _goto(at, "pages/settings.py")
    at.checkbox(key="settings_reset_confirm").check().run()
    at.button(key="settings_reset").click().run()
    assert any("已恢复全部默认值" in s.value for s in at.success)
    assert at.number_input(key="threshold_slow_spending_pace_yellow_below").value == 0.8


# --- empty database ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    [
        "pages/dual_monitoring.py",
        "pages/project.py",
        "pages/selfeval.py",
        "pages/rectification.py",
        "pages/disclosure.py",
        "pages/forecast.py",
        "pages/departments.py",
    ],
)
def test_every_new_page_shows_the_empty_state_on_an_empty_database(empty_app, page):
    at = _goto(empty_app, page)
    assert any("还没有数据" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_settings_page_works_on_an_empty_database(empty_app):
    at = _goto(empty_app, "pages/settings.py")
    assert at.title[0].value == "规则设置"


def test_execution_page_links_the_chosen_project_to_its_page(hand_app):
    at = _goto(hand_app, "pages/execution.py")
    at.selectbox(key="exec_project").select("P003").run()
    labels = [link.proto.label for link in at.get("page_link")]
    assert "打开项目 P003 的详情页" in labels


def test_a_noted_flag_is_marked_on_the_overview_and_its_card_opens_the_project(
    tmp_path, monkeypatch
):
    """Issue 14: a flag marked 已关注 topped the overview with no marker. P003's red slow
    spending (the fixture's worst flag at July) noted by a leader shows 已关注 on its card, and
    every card with a project links to that project's page."""
    at = _app(
        tmp_path,
        monkeypatch,
        "insert into flag_followups (year, project_code, department_code, rule_id,"
        " as_of_month, status, note, user_name, noted_at) values"
        " (2025, 'P003', 'D01', 'slow_spending', 7, '已关注', '约谈', 'boss', now())",
    )
    # a badge is Markdown (:gray-badge[已关注]) beside the card's severity
    assert ":gray-badge[已关注]" in " ".join(m.value for m in at.markdown)
    links = [link.proto for link in at.get("page_link")]
    project_links = [p for p in links if "project" in p.page]
    assert project_links and any("P003" in p.label for p in project_links)
