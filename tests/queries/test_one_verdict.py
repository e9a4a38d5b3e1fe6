"""One verdict (issue 10, item 2): a project's light is the worst of its performance flags
(docs/figures.md#lights), the same in the execution table, the CLI report, the briefing and
the project page; every count says what it counts and the counts add up; a cost below its
reference is shown as good.

On tests/hand_fixture.py at July 2025 the flags are (one per project and rule, worst
severity; data_quality apart):
- red: P002 spend_output_mismatch; P003 slow_spending (large-project gap −23.3 pp; its pace
  0.6 alone is yellow), spend_output_mismatch and disclosure_gap (initial budget 2,000万元 not
  disclosed); P004 over_budget (1.15); P007 slow_spending (pace 0.17); P008 indicator_behind
  (v 0.3) and spend_output_mismatch; the department-wide disclosure gaps of D01 and D02 → 10
- yellow: P001 indicator_behind (0.6); P002 indicator_behind (0.7) and slow_spending (pace
  0.6); P005 over_budget (1.10) → 4
- blue: none; data_quality: one for each of the 9 projects → 9. In all 10 + 4 + 0 + 9 = 23.
So the lights: P001 yellow, P002 red, P003 red, P004 red, P005 yellow, P006 grey (a zero
budget, no red or yellow flag), P007 red, P008 red, P009 grey (未报送 for July, no red or
yellow flag). D01 red (P002, P003, P008 red, P001 yellow), D02 red (P004), D03 red (P007).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from perfbudget import cli, db, flags, results
from perfbudget.export.briefing import build_briefing
from perfbudget.scope import Scope
from tests.hand_fixture import YEAR, seed_hand_fixture

JULY = 7
APP = str(Path(__file__).resolve().parents[2] / "app.py")
LIGHTS_AT_JULY = {
    "P001": "yellow",
    "P002": "red",
    "P003": "red",
    "P004": "red",
    "P005": "yellow",
    "P006": "grey",
    "P007": "red",
    "P008": "red",
    "P009": "grey",
}
LABELS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}

# P008's only indicator at 90 of a 70 to-date target: v = 90 ÷ 70 = 1.29 ≥ 1.2 → blue, and its
# output progress (capped at 1) against pace 0.857 gives d = −0.14: no mismatch any more.
ONLY_BLUE_P008 = "update indicator_actuals set actual_value = 90 where project_code = 'P008'"
# P009 (未报送 for July) with an initial budget of 600万元 ≥ 500万元, targets not disclosed
DISCLOSURE_P009 = "update projects set initial_budget_yuan = 6000000 where project_code = 'P009'"
# P004 at exactly its budget (rate 1.0 is not over budget): D02 keeps no red project
P004_ON_BUDGET = (
    "update spending set cumulative_yuan = 500000 where project_code = 'P004' and month = 7"
)
D02_DISCLOSED = "update projects set targets_disclosed = true where department_code = 'D02'"


def _hand_conn(*changes: str):
    conn = db.connect()
    seed_hand_fixture(conn)
    for sql in changes:
        conn.execute(sql)
    return conn


def _lights(conn, month: int = JULY):
    everything = Scope.everything()
    all_flags = flags.warning_flags(conn, YEAR, month, everything)
    projects = db.run_query(conn, "project_execution", everything, year=YEAR, month=month)
    departments = db.run_query(conn, "department_execution", everything, year=YEAR, month=month)
    return all_flags, flags.scope_lights(all_flags, projects, departments)


def _by(lights, level: str) -> dict[str, str]:
    part = lights[lights["level"] == level]
    return dict(zip(part["key"], part["light"], strict=True))


# --- the rule, by hand --------------------------------------------------------------------


def test_each_project_light_is_the_worst_of_its_performance_flags():
    _, lights = _lights(_hand_conn())
    assert _by(lights, "project") == LIGHTS_AT_JULY


def test_a_project_with_only_a_blue_flag_is_green():
    all_flags, lights = _lights(_hand_conn(ONLY_BLUE_P008))
    p008 = all_flags[(all_flags["project_code"] == "P008") & (all_flags["rule"] != "data_quality")]
    assert list(zip(p008["rule"], p008["severity"], strict=True)) == [("indicator_behind", "blue")]
    assert _by(lights, "project")["P008"] == "green"


def test_a_not_reported_project_with_a_red_disclosure_flag_is_red():
    all_flags, lights = _lights(_hand_conn(DISCLOSURE_P009))
    p009 = all_flags[all_flags["project_code"] == "P009"]
    assert set(zip(p009["rule"], p009["severity"], strict=True)) == {
        ("disclosure_gap", "red"),
        ("data_quality", "red"),
    }
    assert _by(lights, "project")["P009"] == "red"
    # without the flag it has nothing to judge: grey, as the zero-budget P006
    _, before = _lights(_hand_conn())
    assert _by(before, "project")["P009"] == "grey"
    assert _by(before, "project")["P006"] == "grey"


def test_a_department_is_the_worst_of_its_projects_and_its_own_flags():
    _, lights = _lights(_hand_conn())
    assert _by(lights, "department") == {"D01": "red", "D02": "red", "D03": "red"}
    assert _by(lights, "district") == {"示例区": "red"}
    departments = lights[lights["level"] == "department"].set_index("key")
    assert departments.loc["D01", "red_project_count"] == 3  # P002, P003, P008
    assert departments.loc["D01", "yellow_project_count"] == 1  # P001
    assert departments.loc["D02", "red_project_count"] == 1  # P004
    assert lights[lights["level"] == "district"]["red_project_count"].iloc[0] == 5
    # P004 on budget: no red project in D02, but its own coverage gap (no project disclosed)
    # is red; once its projects are disclosed, the worst is P005's yellow
    _, lights = _lights(_hand_conn(P004_ON_BUDGET))
    assert _by(lights, "department")["D02"] == "red"
    assert lights.set_index("key").loc["D02", "red_project_count"] == 0
    _, lights = _lights(_hand_conn(P004_ON_BUDGET, D02_DISCLOSED))
    assert _by(lights, "department")["D02"] == "yellow"
    assert _by(lights, "project")["P004"] == "green"


def test_flag_counts_add_up_to_every_flag():
    all_flags, _ = _lights(_hand_conn())
    counts = flags.flag_counts(all_flags)
    assert (counts.red, counts.yellow, counts.blue, counts.data_quality) == (10, 4, 0, 9)
    assert counts.warnings == 14
    assert counts.total == 23 == len(all_flags)
    # P008 with a blue note only: its red indicator and red mismatch go, a blue note comes
    all_flags, _ = _lights(_hand_conn(ONLY_BLUE_P008))
    counts = flags.flag_counts(all_flags)
    assert (counts.red, counts.yellow, counts.blue, counts.data_quality) == (8, 4, 1, 9)
    assert counts.total == 22 == len(all_flags)


def test_the_warning_tile_light_is_red_then_yellow_then_green():
    # one definition for the overview's tile and the briefing's KPI (FlagCounts.light)
    assert flags.FlagCounts(red=1, yellow=5, blue=0, data_quality=0).light == "red"
    assert flags.FlagCounts(red=0, yellow=2, blue=3, data_quality=0).light == "yellow"
    # blue and data-quality notes never colour it
    assert flags.FlagCounts(red=0, yellow=0, blue=4, data_quality=7).light == "green"
    all_flags, _ = _lights(_hand_conn())
    assert flags.flag_counts(all_flags).light == "red"  # 10 red warnings on the hand fixture


# --- the CLI, the briefing ------------------------------------------------------------------


@pytest.fixture
def hand_file(tmp_path) -> Path:
    path = tmp_path / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    conn.close()
    return path


def _cli_lights(path: Path, capsys) -> dict[str, str]:
    code = cli.main(
        ["report", "execution", "--db", str(path), "--year", str(YEAR), "--month", str(JULY)]
    )
    out, _ = capsys.readouterr()
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0])[-1] == "light"  # appended at the end: the contract's columns first
    return {r["project_code"]: r["light"] for r in rows}


def test_the_cli_execution_report_ends_with_the_project_light(hand_file, capsys):
    assert _cli_lights(hand_file, capsys) == LIGHTS_AT_JULY
    code = cli.main(
        [
            "report",
            "execution",
            "--db",
            str(hand_file),
            "--year",
            str(YEAR),
            "--month",
            str(JULY),
            "--format",
            "json",
        ]
    )
    rows = {r["project_code"]: r for r in json.loads(capsys.readouterr()[0])}
    assert code == 0
    assert rows["P003"]["light"] == "red" and rows["P003"]["pace"] == 0.6


def test_the_briefing_counts_red_lights_from_the_flags_it_lists():
    conn = _hand_conn()
    d01 = build_briefing(conn, YEAR, JULY, "D01")
    execution = d01.sections[1]
    # P002, P003, P008 red; P001 yellow — P003 was 黄灯 on its pace while the next slide listed
    # its red slow-spending flag
    assert "4个项目中，红灯3个、黄灯1个" in execution.caption
    warnings = d01.sections[2].table.frame
    listed_red = set(
        warnings[
            (warnings["severity"] == "red")
            & (warnings["rule"] != "data_quality")
            & warnings["project_code"].notna()
        ]["project_code"]
    )
    assert listed_red == {"P002", "P003", "P008"}
    d02 = build_briefing(conn, YEAR, JULY, "D02")
    assert "4个项目中，红灯1个、黄灯1个" in d02.sections[1].caption
    district = build_briefing(conn, YEAR, JULY)
    assert "3个部门中，红灯3个、黄灯0个（共有红灯项目5个）" in district.sections[1].caption
    # the 总体情况 and 重点预警 slides give the same count: red + yellow = 14
    assert "红色预警10条、黄色预警4条" in district.sections[0].caption
    assert district.sections[2].caption.startswith("绩效预警14条：红色10条、黄色4条")
    tile = {k.label: k.value for k in district.sections[0].kpis}["绩效预警"]
    assert tile == "14条"


# --- the pages ------------------------------------------------------------------------------


def _clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def app_on(tmp_path, monkeypatch):
    """An AppTest on a file holding the hand fixture with the given changes (at 2025-07)."""
    started = []

    def start(*changes: str, stored: bool = False) -> AppTest:
        """stored: the results computed and stored first (perfbudget.results), as after an
        import; else every figure comes from the queries."""
        path = tmp_path / "hand.duckdb"
        conn = db.connect(path)
        seed_hand_fixture(conn)
        for sql in changes:
            conn.execute(sql)
        if stored:
            assert results.refresh_all(conn)
        conn.close()
        monkeypatch.setenv("PERFBUDGET_DB", str(path))
        _clear_caches()
        at = AppTest.from_file(APP, default_timeout=30)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        started.append(at)
        return at

    yield start
    _clear_caches()


def _goto(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.info] + [e.value for e in at.success]
    return "\n".join(str(p) for p in parts)


def _metric(at: AppTest, label: str):
    matches = [m for m in at.metric if m.label == label]
    assert matches, f"no metric {label!r} among {[m.label for m in at.metric]}"
    return matches[0]


@pytest.mark.parametrize("stored", [False, True], ids=["queries", "stored"])
def test_the_execution_page_shows_the_cli_light_of_every_project(app_on, tmp_path, capsys, stored):
    at = app_on(stored=stored)
    copy = tmp_path / "copy.duckdb"
    shutil.copy(tmp_path / "hand.duckdb", copy)  # the CLI on its own file beside the app
    cli_lights = _cli_lights(copy, capsys)
    _goto(at, "pages/execution.py")
    projects = at.dataframe[2].value.set_index("项目编码")
    shown = dict(zip(projects.index, projects["灯"], strict=True))
    expected = {code: LABELS.get(light) for code, light in cli_lights.items()}
    expected["P009"] = "未报送"  # grey: not reported for July
    expected["P006"] = "—"  # grey: a zero budget, nothing to judge
    assert shown == expected
    assert projects.loc["P003", "进度比"] == 0.6  # the pace keeps its own column
    departments = at.dataframe[1].value.set_index("部门编码")
    assert list(departments["灯"]) == ["红灯", "红灯", "红灯"]
    assert departments.loc["D01", "红灯项目"] == 3
    assert "有红灯项目即为红灯" in _texts(at)


@pytest.mark.parametrize("stored", [False, True], ids=["queries", "stored"])
def test_the_overview_tile_its_caption_and_the_warnings_page_add_up(app_on, stored):
    at = app_on(stored=stored)
    assert _metric(at, "预警").value == "14条"  # red 10 + yellow 4
    assert "红10 · 黄4" in _texts(at)
    assert "另有6条预警（红色、黄色）未列出" in _texts(at)  # 14 − 8 shown
    assert "另有9条数据质量提示" in _texts(at)
    assert "蓝色提示" not in _texts(at)  # none at July
    _goto(at, "pages/warnings.py")
    assert "共23条 = 红色预警10条 + 黄色预警4条 + 蓝色提示0条 + 数据质量提示9条" in _texts(at)


def test_a_blue_note_is_counted_apart_from_the_tile(app_on):
    at = app_on(ONLY_BLUE_P008)
    assert _metric(at, "预警").value == "12条"  # red 8 + yellow 4
    assert "另有4条预警（红色、黄色）未列出" in _texts(at)  # 12 − 8 shown
    assert "另有1条蓝色提示" in _texts(at)
    _goto(at, "pages/warnings.py")
    assert "共22条 = 红色预警8条 + 黄色预警4条 + 蓝色提示1条 + 数据质量提示9条" in _texts(at)


# P001 and P002 in one 绿化养护 class with a cost standard of 10元 a 平方米: P001 at
# 92,600 ÷ 10,000 = 9.26 (7.4% below), P002 at 130,000 ÷ 10,000 = 13 (30% above: red flag).
COSTS = (
    "update projects set service_class = '绿化养护' where project_code in ('P001', 'P002')",
    "insert into cost_standards (year, service_class, output_unit, standard_unit_cost_yuan)"
    " values (2025, '绿化养护', '平方米', 10)",
    "insert into costs (year, project_code, cost_item, amount_yuan, output_quantity, output_unit)"
    " values (2025, 'P001', '运行维护', 92600, 10000, '平方米'),"
    " (2025, 'P002', '运行维护', 130000, 10000, '平方米')",
)


def _project_page(at: AppTest, code: str) -> AppTest:
    _goto(at, "pages/project.py")
    at.selectbox(key="project_pick").select(code).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _reference_metric(at: AppTest):
    return next(m for m in at.metric if m.label.startswith("成本定额标准"))


def test_the_project_page_shows_the_project_light(app_on):
    at = _project_page(app_on(), "P003")
    # st.badge is Markdown's color-badge directive
    assert ":red-badge[项目灯：红灯]" in _texts(at)
    at = _project_page(at, "P009")
    assert ":gray-badge[项目灯：未报送]" in _texts(at)


def test_a_cost_below_its_reference_is_green_and_points_down(app_on):
    from streamlit.proto.Metric_pb2 import Metric

    at = _project_page(app_on(*COSTS), "P001")
    metric = _reference_metric(at)
    assert metric.proto.delta == "偏离 -7.4%"
    assert metric.proto.direction == Metric.MetricDirection.DOWN
    assert metric.proto.color == Metric.MetricColor.GREEN
    at = _project_page(at, "P002")
    metric = _reference_metric(at)
    assert metric.proto.delta == "偏离 30.0%"
    assert metric.proto.direction == Metric.MetricDirection.UP
    assert metric.proto.color == Metric.MetricColor.RED  # its cost_above_reference flag is red


def test_a_signed_difference_points_the_way_of_its_sign():
    from perfbudget import ui

    assert ui.signed_delta("分差 -0.01", -0.01)["delta_arrow"] == "down"
    assert ui.signed_delta("分差 2.00", 2.0)["delta_arrow"] == "up"
    assert ui.signed_delta("分差 0.00", 0)["delta_arrow"] == "off"


def test_the_execution_table_export_heads_the_light_as_the_project_s(hand_file, tmp_path, capsys):
    from openpyxl import load_workbook

    out = tmp_path / "execution.xlsx"
    code = cli.main(
        [
            "export",
            "table",
            "execution",
            "--db",
            str(hand_file),
            "--year",
            str(YEAR),
            "--month",
            str(JULY),
            "--out",
            str(out),
        ]
    )
    capsys.readouterr()
    assert code == 0
    sheet = load_workbook(out).worksheets[-1]
    assert sheet["A1"].value.startswith("【内部】每个项目的预算执行率与序时进度，及项目灯")
    assert "execution rate" not in sheet["A1"].value  # the title is the Chinese part
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][-1] == "项目灯"
    lights = {r[0]: r[-1] for r in rows[1:]}
    assert lights["P003"] == "红色"
    assert lights["P006"] == "无可评数据"  # a zero budget that did report
    assert lights["P009"] == "未报送"
