"""Every page under AppTest, against a database file seeded with the hand-computed district
(tests/hand_fixture.py), and against an empty one."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from perfbudget import db
from tests.hand_fixture import seed_hand_fixture

APP = str(Path(__file__).resolve().parents[2] / "app.py")
TIMEOUT = 30


def _clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def hand_app(tmp_path, monkeypatch):
    """The app pointed at a fresh file holding the hand fixture; at 2025-07 by default."""
    path = tmp_path / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    conn.close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    _clear_caches()
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.run()
    yield at
    _clear_caches()


@pytest.fixture
def empty_app(tmp_path, monkeypatch):
    """The app on an empty database. The data layer fills an empty database with the demo
    district; here the demo builder does nothing, so the page sees no data at all."""
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


def _goto(at: AppTest, page: str) -> AppTest:
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += (
        [e.value for e in at.info] + [e.value for e in at.success] + [e.value for e in at.error]
    )
    return "\n".join(str(p) for p in parts)


def _metric(at: AppTest, label: str) -> str:
    matches = [m.value for m in at.metric if m.label == label]
    assert matches, f"no metric {label!r} among {[m.label for m in at.metric]}"
    return matches[0]


# --- overview ----------------------------------------------------------------------------


def test_overview_shows_the_hand_fixture_kpis_at_july(hand_app):
    at = hand_app
    assert not at.exception
    assert at.title[0].value == "预算绩效总览"
    # 9,545,000 ÷ 24,600,000 = 0.388008 → 38.8%
    assert _metric(at, "预算执行率") == "38.8%"
    assert _metric(at, "调整后预算") == "2,460.00万元"
    assert _metric(at, "已支出") == "954.50万元"
    # (0.388008 − 0.583333) × 100 = −19.53 pp
    assert _metric(at, "进度差") == "-19.5个百分点"
    # 7 of 10 reported indicators at or above the yellow line
    assert _metric(at, "指标达标率") == "70.0%"
    assert "数据截至 2025年7月" in _texts(at)


def test_overview_counts_performance_warnings_and_notes_data_quality_apart(hand_app):
    # At July, performance rules: red P002 mismatch, P003 slow + mismatch + disclosure,
    # P008 indicator + mismatch, P004 over budget, P007 slow, and the disclosure gaps of
    # departments D01 and D02 (10); yellow P001 and P002 indicators, P002 slow, P005 over (4).
    assert _metric(hand_app, "预警") == "14条"
    assert "红10 · 黄4" in _texts(hand_app)
    # data_quality: P001, P002, P003, P008 (points, no cost indicator), P004, P005, P006,
    # P007, P009 (no targets) → 9 notes, counted apart
    assert "另有9条数据质量提示" in _texts(hand_app)


def test_overview_draws_department_bars_coloured_by_department_light_and_the_time_progress_line(
    hand_app,
):
    import json

    charts = hand_app.get("plotly_chart")
    assert len(charts) == 2
    spec = json.loads(charts[0].proto.spec)
    bars = {trace["name"]: trace for trace in spec["data"]}
    # a department's light is the worst of its projects' (issue 10: one verdict; it was the
    # department's pace, D01 yellow and D02 green beside their red projects): D01 has red
    # P002, P003 and P008, D02 red P004, D03 red P007 → all three red
    assert set(bars) == {"红灯"}
    assert sorted(bars["红灯"]["y"]) == sorted(["区教育局", "区卫生健康委员会", "区保密办"])
    assert "柱色为部门灯" in _texts(hand_app)
    assert spec["layout"]["template"]["layout"]["plot_bgcolor"] == "white"  # plotly_white
    assert "Noto Sans CJK SC" in spec["layout"]["font"]["family"]
    line = spec["layout"]["shapes"][0]
    assert line["x0"] == pytest.approx(7 / 12)
    trend = json.loads(charts[1].proto.spec)
    rate = next(tr for tr in trend["data"] if tr["name"] == "累计执行率")
    assert rate["y"][-1] == pytest.approx(0.388008, abs=1e-6)
    assert len(rate["x"]) == 7


def test_overview_lists_the_most_severe_warnings_first(hand_app):
    texts = _texts(hand_app)
    assert "P003 新建学校工程" in texts
    assert "低于序时进度58.3%达23.3个百分点" in texts
    # 8 shown, most severe first: all 10 red ones outrank the yellow P001 indicator
    assert "P001 校舍维修" not in texts
    assert "另有6条预警" in texts


def test_english_toggle_changes_titles_and_tiles(hand_app):
    at = hand_app
    at.sidebar.toggle[0].set_value(True).run()
    assert not at.exception
    assert at.title[0].value == "Budget performance overview"
    assert _metric(at, "Execution rate") == "38.8%"
    assert _metric(at, "Adjusted budget") == "CNY 24.60 mn"


# --- execution ---------------------------------------------------------------------------


def test_execution_page_drills_from_district_to_all_nine_projects(hand_app):
    at = _goto(hand_app, "pages/execution.py")
    assert at.title[0].value == "预算执行"
    district, departments, projects = (df.value for df in at.dataframe[:3])
    assert list(district["区"]) == ["示例区"]
    assert list(district["执行率"]) == [38.8]
    assert list(departments["部门编码"]) == ["D01", "D02", "D03"]
    assert len(projects) == 9
    row = projects.set_index("项目编码").loc["P003"]
    assert row["调整后预算（万元）"] == 2000.0
    assert row["已支出（万元）"] == 700.0
    assert row["执行率"] == 35.0
    assert row["进度差（百分点）"] == -23.3
    # the project's light (issue 10, docs/figures.md#lights): P003's pace 0.6 is yellow but
    # its large-project gap −23.3 pp is red, so it is red (the table used to show the pace light)
    assert row["进度比"] == 0.6
    assert row["灯"] == "红灯"
    assert projects.set_index("项目编码").loc["P009", "灯"] == "未报送"


def test_execution_page_narrows_to_one_department_and_draws_a_project_curve(hand_app):
    at = _goto(hand_app, "pages/execution.py")
    at.selectbox(key="exec_department").select("D02").run()
    assert not at.exception
    projects = at.dataframe[2].value
    assert sorted(projects["项目编码"]) == ["P004", "P005", "P006", "P009"]
    at.selectbox(key="exec_project").select("P004").run()
    import json

    curve = json.loads(at.get("plotly_chart")[0].proto.spec)
    rate = next(tr for tr in curve["data"] if tr["name"] == "累计执行率")
    assert len(rate["x"]) == 12
    assert rate["y"][6] == pytest.approx(1.15)
    assert "社区卫生运行" in curve["layout"]["title"]["text"]


# --- targets -----------------------------------------------------------------------------


def test_targets_page_shows_scorecards_and_qualitative_actuals_as_text(hand_app):
    at = _goto(hand_app, "pages/targets.py")
    assert at.title[0].value == "绩效目标"
    scorecard, indicators = at.dataframe[0].value, at.dataframe[1].value
    card = scorecard.set_index("项目编码")
    assert list(card.index) == ["P001", "P002", "P003", "P008"]
    assert card.loc["P008", "最差灯"] == "红灯"
    assert card.loc["P008", "红"] == 1
    qualitative = indicators.set_index("三级指标").loc["学生课后安全"]
    assert qualitative["实际完成值"] == "部分达成预期指标"
    assert qualitative["灯"] == "黄灯"
    assert indicators.set_index("三级指标").loc["维修校舍数", "实际完成值"] == "35"


def test_targets_page_filters_by_light(hand_app):
    at = _goto(hand_app, "pages/targets.py")
    at.multiselect(key="targets_light").select("red").run()
    indicators = at.dataframe[1].value
    assert list(indicators["三级指标"]) == ["培训人次"]


# --- warnings ----------------------------------------------------------------------------


def test_warnings_page_lists_p003_as_red_with_its_sentence(hand_app):
    at = _goto(hand_app, "pages/warnings.py")
    assert at.title[0].value == "预警"
    table = at.dataframe[0].value
    p003 = table[table["项目编码"] == "P003"]
    assert set(p003["等级"]) == {"红色"}
    slow = p003[p003["规则"] == "支出进度偏慢"].iloc[0]
    assert slow["预警说明"].startswith("截至7月执行率35.0%，低于序时进度58.3%达23.3个百分点")
    assert len(table) == 23  # 14 performance warnings and 9 data-quality notes


def test_warnings_page_filters_by_rule_and_severity(hand_app):
    at = _goto(hand_app, "pages/warnings.py")
    at.multiselect(key="warnings_rule").select("over_budget").run()
    table = at.dataframe[0].value
    assert list(table["项目编码"]) == ["P004", "P005"]
    at.multiselect(key="warnings_severity").select("yellow").run()
    assert list(at.dataframe[0].value["项目编码"]) == ["P005"]


def test_warnings_page_offers_an_xlsx_download_without_sensitive_projects(hand_app):
    at = _goto(hand_app, "pages/warnings.py")
    buttons = at.get("download_button")
    assert len(buttons) == 1
    assert buttons[0].proto.label == "下载预警表（Excel）"
    # P007 belongs to the sensitive department D03: listed on screen, never in the file.
    assert "P007" in set(at.dataframe[0].value["项目编码"])
    assert "本次筛选中有2条涉密预警未导出" in _texts(at)


# --- upload ------------------------------------------------------------------------------


def test_upload_page_explains_the_templates_and_shows_an_empty_history(hand_app):
    at = _goto(hand_app, "pages/upload.py")
    assert at.title[0].value == "数据导入"
    texts = _texts(at)
    assert "按表头识别表的种类" in texts
    assert "还没有导入记录" in texts


VALID_CSV = "年度,月份,项目编码,累计支出\n2025,8,P001,600000\n2025,8,P002,400000\n".encode()
BAD_CSV = "年度,月份,项目编码,累计支出\n2025,13,P001,约30万\n".encode()


def test_upload_imports_a_valid_csv_and_shows_the_summary_and_history(hand_app):
    at = _goto(hand_app, "pages/upload.py")
    at.file_uploader[0].set_value(("exec.csv", VALID_CSV, "text/csv")).run()
    at.button(key="upload_import").click().run()
    assert not at.exception
    assert any(s.value == "导入完成。" for s in at.success)
    assert "「exec.csv」（批次1）：导入预算执行2行" in _texts(at)
    history = at.dataframe[-1].value
    assert list(history["文件名"]) == ["exec.csv"]
    assert list(history["表类型"]) == ["预算执行"]
    assert list(history["状态"]) == ["有效"]
    # the uploader is emptied for the next import
    assert not at.file_uploader[0].value


def test_upload_refuses_a_bad_csv_listing_row_and_column_and_writes_nothing(hand_app):
    at = _goto(hand_app, "pages/upload.py")
    at.file_uploader[0].set_value(("bad.csv", BAD_CSV, "text/csv")).run()
    assert not at.exception
    # the preview already lists the problems; the import cannot be started
    assert "不会写入任何数据" in at.error[0].value
    assert at.button(key="upload_import").disabled
    lines = [line for m in at.markdown for line in m.value.splitlines() if "bad.csv ·" in line]
    assert ["第2行 · 列「月份」" in lines[0], "第2行 · 列「累计支出」" in lines[1]] == [True, True]
    assert "不是数字" in lines[1]
    assert "还没有导入记录" in _texts(at)


# --- empty database ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "page", ["pages/overview.py", "pages/execution.py", "pages/targets.py", "pages/warnings.py"]
)
def test_every_data_page_shows_the_empty_state_on_an_empty_database(empty_app, page):
    at = _goto(empty_app, page)
    assert any("还没有数据" in i.value for i in at.info)
    assert not at.get("plotly_chart")


def test_upload_page_works_on_an_empty_database(empty_app):
    at = _goto(empty_app, "pages/upload.py")
    assert at.title[0].value == "数据导入"
