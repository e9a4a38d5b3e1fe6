"""Self-evaluation status (docs/figures.md#self-evaluation-status) wherever a self-evaluation is shown: the
CLI report, the league, the import check, the pages and the briefing. A district of three
projects, each budget 1,000,000 元, department D1, year 2025, December data only:

  C1 complete: spent 900,000 → execution 10 × 0.9 = 9; one indicator ≥10, 90 points, year-end
     actual 10 → 90; total 99 → 优. Its table claims 100 → 优: not over-scored.
  I1 incomplete: spent 500,000; two indicators ≥10 of 45 points: 数量A has its year-end
     actual 10, 数量B only a claimed 得分 45 and no 实际完成值 → 1 indicator missing. Its table
     claims 100 / 优. Scored the old way: 5 + 45 + 0 = 50 → 差, over-scored, budget review.
  N1 none: spent 400,000, no indicators, no table: the old way 10 × 0.4 = 4 of 10 → 40 → 差.

Nothing here is complete and 差, so no 差 may show anywhere."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from perfbudget import cli, db
from perfbudget.db import run_query
from perfbudget.export.briefing import build_briefing
from tests.hand_fixture import YEAR

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def seed_status_district(conn) -> None:
    conn.execute("insert into districts values ('测试区')")
    conn.execute("insert into departments values ('D1', '测试局', '测试区', false, null)")
    for code, name, spent in (
        ("C1", "完整项目", "900000"),
        ("I1", "缺值项目", "500000"),
        ("N1", "新增项目", "400000"),
    ):
        conn.execute(
            "insert into projects (year, project_code, project_name, department_code, budget_type,"
            " adjusted_budget_yuan, initial_budget_yuan) values (?, ?, ?, 'D1', '一般公共预算',"
            " 1000000, 1000000)",
            [YEAR, code, name],
        )
        conn.execute(
            "insert into spending (year, month, project_code, cumulative_yuan)"
            " values (?, 12, ?, ?)",
            [YEAR, code, Decimal(spent)],
        )
    for code, name, points, actual, claimed in (
        ("C1", "数量", 90, 10, None),
        ("I1", "数量A", 45, 10, None),
        ("I1", "数量B", 45, None, 45),
    ):
        conn.execute(
            "insert into indicators (year, project_code, level1, level2, indicator_name, operator,"
            " target_value, target_text, points) values (?, ?, '产出指标', '数量指标', ?, '≥', 10,"
            " '≥10', ?)",
            [YEAR, code, name, points],
        )
        conn.execute(
            "insert into indicator_actuals (year, project_code, level1, level2, indicator_name,"
            " month, actual_value, claimed_score) values (?, ?, '产出指标', '数量指标', ?, 12, ?, ?)",
            [YEAR, code, name, actual, claimed],
        )
    conn.execute(
        "insert into self_evaluations (year, project_code, claimed_total_score,"
        " claimed_grade, batch_id) values (?, 'C1', 100, '优', 1), (?, 'I1', 100, '优', 1)",
        [YEAR, YEAR],
    )


@pytest.fixture
def status_db():
    conn = db.connect()
    seed_status_district(conn)
    yield conn
    conn.close()


@pytest.fixture
def status_file(tmp_path) -> Path:
    path = tmp_path / "status.duckdb"
    conn = db.connect(path)
    seed_status_district(conn)
    conn.close()
    return path


# --- queries ---------------------------------------------------------------------------------


def test_each_project_gets_its_status_and_only_the_complete_one_a_score(status_db):
    rows = run_query(status_db, "project_selfeval", year=YEAR).set_index("project_code")
    assert rows["status"].to_dict() == {"C1": "complete", "I1": "incomplete", "N1": "none"}
    assert rows["missing_indicator_count"].to_dict() == {"C1": 0, "I1": 1, "N1": 0}
    assert rows.loc["C1", "total_score"] == 99.0
    assert rows.loc["C1", "grade"] == "优"
    assert not rows.loc["C1", "is_over_scored"]
    assert rows.loc["C1", "score_difference"] == 1.0
    for code in ("I1", "N1"):
        for column in ("total_score", "grade", "is_over_scored", "score_difference"):
            assert pd.isna(rows.loc[code, column]), (code, column)
    assert rows.loc["I1", "claimed_total_score"] == 100
    assert rows.loc["I1", "claimed_grade"] == "优"


def test_no_budget_review_mark_for_an_unscored_self_evaluation(status_db):
    assert run_query(status_db, "project_budget_review", year=YEAR).empty


def test_the_import_check_says_incomplete_and_scores_nothing(status_db):
    rows = run_query(status_db, "batch_selfeval", batch_id=1).set_index("project_code")
    assert sorted(rows.index) == ["C1", "I1"]
    assert rows.loc["I1", "status"] == "incomplete"
    assert rows.loc["I1", "missing_indicator_count"] == 1
    assert pd.isna(rows.loc["I1", "total_score"]) and pd.isna(rows.loc["I1", "is_over_scored"])
    assert rows.loc["C1", "total_score"] == 99.0


def test_the_league_leaves_unscored_self_evaluations_out_of_its_share(hand_db):
    # P001 (D01) claims 100 / 优 but has no year-end values: incomplete, so not judged. Scored
    # the old way (11.67 → 差) it was over-scored and D01's self-evaluation part was 0.
    hand_db.execute(
        "insert into self_evaluations (year, project_code, claimed_total_score,"
        " claimed_grade) values (2025, 'P001', 100, '优')"
    )
    d01 = (
        run_query(hand_db, "department_league", year=YEAR, month=7)
        .set_index("department_code")
        .loc["D01"]
    )
    assert d01["scored_project_count"] == 0 and d01["over_scored_count"] == 0
    assert pd.isna(d01["selfeval_part"])
    assert d01["score"] == 59.2  # as without any self-evaluation (test_department_reports)
    # year-end values for both indicators: 4.67 + 20 + 10 of 40 → 86.67, 良 below the claimed 优
    hand_db.execute(
        "insert into indicator_actuals (year, project_code, level1, level2, indicator_name, month,"
        " actual_value) values (2025, 'P001', '产出指标', '数量指标', '维修校舍数', 12, 100),"
        " (2025, 'P001', '产出指标', '质量指标', '验收合格率', 12, 95)"
    )
    scores = run_query(hand_db, "project_selfeval", year=YEAR).set_index("project_code")
    assert scores.loc["P001", "status"] == "complete"
    assert scores.loc["P001", "total_score"] == 86.67
    d01 = (
        run_query(hand_db, "department_league", year=YEAR, month=7)
        .set_index("department_code")
        .loc["D01"]
    )
    assert (d01["scored_project_count"], d01["over_scored_count"]) == (1, 1)
    assert d01["selfeval_part"] == 0
    # (30 × 0.621429 + 30 × 0.76 + 15 × 0 + 10 × 0) ÷ 85 × 100 = 48.76
    assert d01["score"] == 48.8


# --- CLI -------------------------------------------------------------------------------------


def test_cli_selfeval_columns_end_with_status_and_missing_count(status_file, capsys):
    code = cli.main(["report", "selfeval", "--db", str(status_file), "--year", str(YEAR)])
    out, _ = capsys.readouterr()
    assert code == 0
    reader = list(csv.reader(io.StringIO(out)))
    header = reader[0]
    assert header[:12] == list(cli.REPORTS["selfeval"].columns[:12])
    assert header[-2:] == ["status", "missing_indicator_count"]
    rows = {r[header.index("project_code")]: dict(zip(header, r, strict=True)) for r in reader[1:]}
    assert rows["I1"]["status"] == "incomplete" and rows["I1"]["missing_indicator_count"] == "1"
    assert rows["N1"]["status"] == "none"
    for code_ in ("I1", "N1"):
        for column in (
            "execution_score",
            "indicator_score",
            "total_score",
            "grade",
            "is_over_scored",
            "score_difference",
        ):
            assert rows[code_][column] == "", (code_, column)
    assert rows["I1"]["claimed_total_score"] == "100.0"
    assert rows["C1"]["status"] == "complete" and rows["C1"]["grade"] == "优"
    assert float(rows["C1"]["total_score"]) == 99.0


def test_cli_selfeval_json_has_nulls_for_unscored(status_file, capsys):
    cli.main(
        ["report", "selfeval", "--db", str(status_file), "--year", str(YEAR), "--format", "json"]
    )
    out, _ = capsys.readouterr()
    rows = {r["project_code"]: r for r in json.loads(out)}
    assert rows["N1"]["total_score"] is None and rows["N1"]["grade"] is None
    assert rows["N1"]["missing_indicator_count"] == 0


# --- briefing --------------------------------------------------------------------------------


def test_the_briefing_grades_only_complete_ones_and_counts_the_others(status_db):
    briefing = build_briefing(status_db, YEAR, 12)
    section = next(s for s in briefing.sections if s.key == "selfeval")
    assert section.caption.startswith(
        "2025年度1个自评完整的项目复核评分：优1个、良0个、中0个、差0个"
    )
    assert (
        "另有1个项目自评不完整（有指标缺年末完成值）、1个项目无自评，不计分、不评级"
        in section.caption
    )
    assert list(section.table.frame["project_code"]) == ["C1"]


def test_the_briefing_without_a_complete_one_says_why(status_db):
    status_db.execute("delete from projects where project_code = 'C1'")
    briefing = build_briefing(status_db, YEAR, 12)
    omitted = dict(briefing.omitted)
    assert (
        omitted["绩效自评等级"]
        == "2025年度没有完整的自评数据（1个项目自评不完整（有指标缺年末完成值）、1个项目无自评）"
    )


# --- pages -----------------------------------------------------------------------------------


def _clear_caches() -> None:
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def status_app(status_file, monkeypatch):
    monkeypatch.setenv("PERFBUDGET_DB", str(status_file))
    _clear_caches()
    at = AppTest.from_file(APP, default_timeout=60)
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


def test_selfeval_page_shows_incomplete_and_none_as_such_never_poor(status_app):
    at = _goto(status_app, "pages/selfeval.py")
    assert _metric(at, "优（个项目）") == "1"
    assert _metric(at, "差（个项目）") == "0"
    assert _metric(at, "自评偏高") == "0"
    texts = _texts(at)
    assert (
        "优、良、中、差只计自评完整的1个项目；另有1个项目自评不完整（有指标缺年末完成值）、1个项目无自评，"
        "不计分、不评级"
    ) in texts
    assert "没有需要重点审核的项目" in texts
    unscored = next(df.value for df in at.dataframe if "自评状态" in df.value.columns).set_index(
        "项目编码"
    )
    assert list(unscored.index) == ["I1", "N1"]  # incomplete first
    assert unscored.loc["I1", "自评状态"] == "不完整（1项指标缺年末完成值）"
    assert unscored.loc["N1", "自评状态"] == "无自评"
    assert unscored.loc["I1", "自报总分"] == 100
    for df in at.dataframe:
        assert not (df.value == "差").any().any()
    bars = {t["name"]: t for t in json.loads(at.get("plotly_chart")[0].proto.spec)["data"]}
    assert sum(bars["优"]["x"]) == 1 and sum(bars["差"]["x"]) == 0


def test_selfeval_page_in_english(status_app):
    status_app.session_state["lang_en"] = True
    at = _goto(status_app, "pages/selfeval.py")
    unscored = next(df.value for df in at.dataframe if "Self-evaluation" in df.value.columns)
    assert set(unscored["Self-evaluation"]) == {
        "incomplete (1 indicator without a year-end value)",
        "no self-evaluation",
    }


def test_project_page_of_an_incomplete_self_evaluation_shows_no_grade_and_no_mark(status_app):
    at = _goto(status_app, "pages/project.py", project="I1")
    texts = _texts(at)
    assert (
        "自评不完整（1项指标缺年末完成值）：补齐年末（12月）实际完成值后才计算重算得分和等级"
        in texts
    )
    assert "下年预算重点审核" not in texts
    assert not [m for m in at.metric if m.label in ("重算总分", "重算等级")]
    assert _metric(at, "自报总分") == "100"


def test_project_page_without_a_self_evaluation_says_so(status_app):
    at = _goto(status_app, "pages/project.py", project="N1")
    texts = _texts(at)
    assert "无自评：该项目既没有自评表，也没有年末（12月）指标完成值，不计分、不评级。" in texts
    assert "下年预算重点审核" not in texts
    assert not [m for m in at.metric if m.label in ("重算总分", "重算等级", "自报总分")]


def test_project_page_of_a_complete_self_evaluation_keeps_its_score(status_app):
    at = _goto(status_app, "pages/project.py", project="C1")
    assert _metric(at, "重算总分") == "99"
    assert _metric(at, "重算等级") == "优"


# --- the upload page's self-score check ------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def upload_app(tmp_path, monkeypatch):
    from tests.hand_fixture import seed_hand_fixture

    path = tmp_path / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    conn.close()
    monkeypatch.setenv("PERFBUDGET_DB", str(path))
    _clear_caches()
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    yield _goto(at, "pages/upload.py")
    _clear_caches()


def test_the_upload_check_of_a_table_missing_a_value_says_incomplete_not_over_scored(upload_app):
    # tests/form_helpers.py's worked example (88.8 / 良 against a claimed 90.2 / 优, over-scored),
    # with 养护达标率's 实际完成值 left empty and its 得分 20 kept: one indicator missing
    from tests.form_helpers import SELFEVAL_INDICATORS, selfeval_grid, xlsx

    rows = [*SELFEVAL_INDICATORS]
    rows[1] = (None, "质量指标", "养护达标率", "≥100百分比", None, 20, 20, None)
    content = xlsx(("自评表", selfeval_grid(indicators=rows)))
    at = upload_app
    at.file_uploader[0].set_value(("自评表.xlsx", content, XLSX)).run()
    assert not at.exception, [e.value for e in at.exception]
    at.button(key="upload_import").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.warning  # no 自评偏高
    assert (
        "「城市绿化养护」有1项指标缺年末完成值：自评不完整，未重算得分和等级，也不核对自评偏高。"
        in [i.value for i in at.info]
    )
    check = next(df.value for df in at.dataframe if "重算总分" in df.value.columns)
    row = check.iloc[0]
    assert pd.isna(row["重算总分"]) and pd.isna(row["分差"]) and pd.isna(row["自评偏高"])
    assert row["重算等级"] == "不完整（1项指标缺年末完成值）"
    assert row["自报总分"] == 90.2 and row["自报等级"] == "优"
