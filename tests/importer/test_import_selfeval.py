"""The published 项目支出绩效自评表 imports as it is (docs/figures.md#the-self-evaluation-table), and queries/project_selfeval.sql then scores it.

The worked example (tests/form_helpers.py, selfeval_grid), amounts in 万元:
  年度资金总额: 年初预算数 120.5, 全年预算数 125.1250, 全年执行数 112.6125, 分值 10, 得分 9
    → initial 1,205,000 元, adjusted 1,251,250 元, spent 1,126,125 元; rate = 0.9 exactly
    → execution score 10 × 0.9 = 9.
  indicators (year end):
    产出/数量 养护面积  "375万平方米" (no operator: ≥), actual "360万平方米", 20 pts
        → 20 × 360/375 = 20 × 0.96 = 19.2
    产出/质量 养护达标率 "≥100百分比", actual 98, 20 pts → 20 × 0.98 = 19.6
    产出/成本 养护成本  "≤90万元", actual "100万元", 10 pts → 10 × 90/100 = 9
    效益/社会 市容环境改善 "效果明显" (定性), actual "部分达成预期指标" (0.7, not 达成), claimed
        22 of 30: inside the 部分达成 band [18, 24) → 22 kept
    满意度 市民满意度 "≥90%", actual "92%", 10 pts → capped 1 → 10
  total = 9 + 19.2 + 19.6 + 9 + 22 + 10 = 88.8 of 100 → 良.
  The file claims 总分 90.2 and 等级 优 → over-scored by 1.4.
Had "部分达成预期指标" been read as 达成 (1.0, band [24, 30]), 22 would be out of band and the
total 96.8 — so the figures also prove the longer phrase is matched first."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfbudget.db import run_query
from perfbudget.importer import import_files, preview_files
from tests.form_helpers import SELFEVAL_INDICATORS, selfeval_grid, xls, xlsx
from tests.import_helpers import csv_bytes, find_issue, new_db, rejected, scalar

YEAR = 2024


@pytest.fixture
def conn():
    c = new_db()
    yield c
    c.close()


def _score(conn):
    df = run_query(conn, "project_selfeval", year=YEAR)
    assert len(df) == 1
    return df.iloc[0]


def _assert_worked_example(conn):
    row = _score(conn)
    assert row["execution_rate"] == 0.9
    assert row["execution_score"] == 9
    assert row["indicator_score"] == pytest.approx(79.8)
    assert row["total_score"] == 88.8
    assert row["grade"] == "良"
    assert row["claimed_total_score"] == 90.2
    assert row["claimed_grade"] == "优"
    assert row["is_over_scored"]
    assert row["score_difference"] == 1.4
    assert row["points_total"] == 90
    assert row["qualitative_adjusted_count"] == 0


def test_the_published_table_imports_without_editing_and_scores_by_hand(conn):
    result = import_files(conn, [("自评表.xlsx", xlsx(("自评表", selfeval_grid())))])
    summary = result.files[0]
    assert summary.layout == "selfeval_table"
    assert summary.row_counts == {"projects": 1, "execution": 1, "indicators": 5,
                                  "indicator_actuals": 5, "self_evaluations": 1}  # fmt: skip
    code = scalar(conn, "select project_code from projects")
    assert code.startswith("123001-") and len(code) == len("123001-") + 8
    assert conn.execute(
        "select year, project_name, department_code, unit_code, initial_budget_yuan, "
        "adjusted_budget_yuan from projects"
    ).fetchall() == [(YEAR, "城市绿化养护", "上海市示例区绿化和市容管理局", "123001",
                      Decimal("1205000.00"), Decimal("1251250.00"))]  # fmt: skip
    assert conn.execute("select unit_name from units").fetchall() == [("示例区绿化管理所",)]
    assert conn.execute(
        "select month, fund_source, cumulative_yuan, forecast_yuan from spending"
    ).fetchall() == [(12, "", Decimal("1126125.00"), None)]
    assert conn.execute(
        "select indicator_name, operator, target_value, target_text, unit, points from indicators "
        "order by points desc, indicator_name"
    ).fetchall() == [
        ("市容环境改善", "定性", None, "效果明显", None, Decimal("30.00")),
        ("养护达标率", "≥", Decimal("100"), "≥100百分比", "百分比", Decimal("20.00")),
        ("养护面积", "≥", Decimal("375"), "375万平方米", "万平方米", Decimal("20.00")),
        ("养护成本", "≤", Decimal("90"), "≤90万元", "万元", Decimal("10.00")),
        ("市民满意度", "≥", Decimal("90"), "≥90%", "%", Decimal("10.00")),
    ]
    assert conn.execute(
        "select level1, level2, month, actual_value, actual_text, claimed_score, reason "
        "from indicator_actuals where indicator_name = '市容环境改善'"
    ).fetchall() == [("效益指标", "社会效益指标", 12, None, "部分达成预期指标", Decimal("22.00"),
                      "个别路段仍有脏乱")]  # fmt: skip
    assert conn.execute(
        "select execution_points, claimed_execution_score, claimed_total_score, claimed_grade, "
        "goal_expected, goal_actual from self_evaluations"
    ).fetchall() == [(Decimal("10.00"), Decimal("9.00"), Decimal("90.20"), "优",
                      "完成全区375万平方米绿地养护", "完成360万平方米，达标率98%")]  # fmt: skip
    # a self-evaluation has no monitoring remarks: the reason column holds the reason alone
    assert conn.execute(
        "select count(*) filter (where forecast_text is not null or deviation_category is not "
        "null or completion_likelihood is not null), count(reason) from indicator_actuals"
    ).fetchall() == [(0, 3)]
    # merged level-1 cells ("产出指标(50分)" over three rows) carried down, points stripped
    assert dict(conn.execute("select level1, count(*) from indicators group by 1").fetchall()) == {
        "产出指标": 3, "效益指标": 1, "满意度指标": 1}  # fmt: skip
    assert scalar(conn, "select layout from import_batches") == "selfeval_table"
    notes = "\n".join(summary.notes)
    assert f"「{code}」" in notes and "derived from the unit's code" in notes
    assert "万元换算为元" in notes
    _assert_worked_example(conn)


def test_an_old_xls_table_gives_the_same_figures(conn):
    import_files(conn, [("自评表.xls", xls(("自评表", selfeval_grid())))])
    assert scalar(conn, "select adjusted_budget_yuan from projects") == Decimal("1251250.00")
    _assert_worked_example(conn)


def test_a_total_row_left_at_zero_takes_the_breakdown_rows_per_fund_source(conn):
    grid = selfeval_grid(total=(0, 0, 0, 10, "90%", 9))
    result = import_files(conn, [("a.xlsx", xlsx(("自评表", grid)))])
    assert conn.execute(
        "select initial_budget_yuan, adjusted_budget_yuan from projects"
    ).fetchall() == [(Decimal("1205000.00"), Decimal("1251250.00"))]  # 100+20.5, 100.125+25
    assert conn.execute(
        "select fund_source, cumulative_yuan from spending order by fund_source"
    ).fetchall() == [("上年结转资金", Decimal("225000.00")), ("当年财政拨款", Decimal("901125.00"))]
    assert "按其中各资金来源分别导入" in "\n".join(result.files[0].notes)
    _assert_worked_example(conn)  # 901,125 + 225,000 = 1,126,125: the same rate 0.9


def test_the_year_may_stand_on_its_own_title_line(conn):
    grid = selfeval_grid(title=["项目支出绩效自评表", "（2023年度）"])
    import_files(conn, [("a.xlsx", xlsx(("表", grid)))])
    assert scalar(conn, "select year from projects") == 2023


def test_a_table_that_names_its_code_keeps_it_and_a_grade_may_share_a_cell(conn):
    grid = selfeval_grid(code_row=" 2130201 ", grade=None)
    grid.line(max(r for r, _c in grid.cells) + 1, ["等级：良好"])
    import_files(conn, [("a.xlsx", xlsx(("表", grid)))])
    assert scalar(conn, "select project_code from projects") == "2130201"
    assert scalar(conn, "select claimed_grade from self_evaluations") == "良"


def test_the_derived_code_is_stable_so_a_second_import_replaces_the_first(conn):
    data = xlsx(("表", selfeval_grid()))
    first = import_files(conn, [("a.xlsx", data)])
    other = new_db()
    import_files(other, [("a.xlsx", data)])
    assert scalar(conn, "select project_code from projects") == scalar(
        other, "select project_code from projects"
    )
    second = import_files(conn, [("b.xlsx", xlsx(("表", selfeval_grid(total_score=91))))])
    assert first.files[0].replaced_count == 0
    assert second.files[0].replaced_count == 13  # project, spending, 5 + 5 indicator rows, claim
    assert scalar(conn, "select count(*) from projects") == 1
    assert scalar(conn, "select claimed_total_score from self_evaluations") == Decimal("91.00")


def test_a_known_project_is_matched_by_name_and_department(conn):
    projects = csv_bytes([
        ["年度", "项目编码", "项目名称", "主管部门编码", "主管部门", "预算类型", "调整后预算数"],
        [YEAR, "P9", "城市绿化养护", "D1", "上海市示例区绿化和市容管理局", "一般公共预算", 1],
    ])  # fmt: skip
    import_files(conn, [("projects.csv", projects)])
    result = import_files(conn, [("a.xlsx", xlsx(("表", selfeval_grid())))])
    assert conn.execute(
        "select project_code, department_code, budget_type, adjusted_budget_yuan from projects"
    ).fetchall() == [("P9", "D1", "一般公共预算", Decimal("1251250.00"))]
    assert scalar(conn, "select count(*) from departments") == 1
    assert "matched the existing project 'P9'" in "\n".join(result.files[0].notes)
    _assert_worked_example(conn)


def test_one_table_per_sheet_in_one_workbook(conn):
    second = [(*row[:5], row[5], row[6], row[7]) for row in SELFEVAL_INDICATORS]
    data = xlsx(("项目一", selfeval_grid()),
                ("项目二", selfeval_grid(project="道路保洁", indicators=second)))  # fmt: skip
    result = import_files(conn, [("a.xlsx", data)])
    assert result.files[0].row_counts == {"projects": 2, "execution": 2, "indicators": 10,
                                          "indicator_actuals": 10, "self_evaluations": 2}  # fmt: skip
    assert sorted(r[0] for r in conn.execute("select project_name from projects").fetchall()) == [
        "城市绿化养护", "道路保洁"]  # fmt: skip
    assert {s.sheet for s in result.files[0].sheets} == {"项目一", "项目二"}


def test_a_table_without_a_year_is_refused_naming_the_sheet(conn):
    exc = rejected(conn, [("a.xlsx", xlsx(("表", selfeval_grid(title="项目支出绩效自评表"))))])
    find_issue(exc, file="a.xlsx", sheet="表", row=None, column=None, zh="标题中没有年度",
               en="has no year in its title")  # fmt: skip


def test_a_funding_cell_that_is_not_a_number_is_refused_at_its_cell(conn):
    grid = selfeval_grid(total=(120.5, "约125万", "112.6125", 10, "90%", 9))
    exc = rejected(conn, [("a.xlsx", xlsx(("表", grid)))])
    # title 1, 项目名称 2, 主管部门 3, funding header 4, 年度资金总额 5
    find_issue(exc, file="a.xlsx", sheet="表", row=5, column="全年预算数", zh="不是数字",
               en="not a number")  # fmt: skip


def test_a_bad_target_is_refused_at_its_cell(conn):
    rows = [*SELFEVAL_INDICATORS]
    rows[1] = (None, "质量指标", "养护达标率", "≥约100%", 98, 20, 20, None)
    exc = rejected(conn, [("a.xlsx", xlsx(("表", selfeval_grid(indicators=rows))))])
    # funding rows 5–8, goals 9–10, indicator header 11, 养护面积 12, 养护达标率 13
    find_issue(exc, file="a.xlsx", sheet="表", row=13, column="年度指标值", zh="不是数字",
               en="not a number")  # fmt: skip


def test_preview_shows_the_layout_and_the_rows_without_writing(conn):
    [preview] = preview_files([("a.xlsx", xlsx(("表", selfeval_grid())))], conn)
    assert scalar(conn, "select count(*) from projects") == 0
    assert preview.ok and not preview.ambiguous
    assert [(s.sheet, s.layout, s.confidence) for s in preview.sheets] == [
        ("表", "selfeval_table", 1.0)]  # fmt: skip
    assert preview.row_counts == {"projects": 1, "execution": 1, "indicators": 5,
                                  "indicator_actuals": 5, "self_evaluations": 1}  # fmt: skip
    frame = preview.frames["self_evaluations"]
    assert frame[["claimed_total_score", "claimed_grade"]].values.tolist() == [
        [Decimal("90.20"), "优"]]  # fmt: skip
    assert preview.goals["表"] == ("完成全区375万平方米绿地养护", "完成360万平方米，达标率98%")
    assert frame["goal_expected"].tolist() == ["完成全区375万平方米绿地养护"]


def test_the_batch_self_score_check_is_the_batchs_projects_scored_by_hand(conn):
    import_files(conn, [("a.xlsx", xlsx(("表", selfeval_grid())))])  # batch 1
    import_files(conn, [("b.xlsx", xlsx(("表", selfeval_grid(project="道路保洁"))))])  # batch 2
    check = run_query(conn, "batch_selfeval", batch_id=2)
    assert check[["project_name", "total_score", "grade", "claimed_total_score", "claimed_grade",
                  "is_over_scored", "score_difference"]].values.tolist() == [
        ["道路保洁", 88.8, "良", 90.2, "优", True, 1.4]]  # fmt: skip
    assert run_query(conn, "batch_selfeval", batch_id=3).empty
