"""「下年预算重点审核」 by hand (queries/project_budget_review.sql). Department D1, year 2025,
December spending of budgets of 1,000,000 元:
  A: spent 950,000 (balance 5%), graded 差: 9.5 of 10 execution points plus its one indicator
     of 90 points at 2 of ≥10 → 18; 27.5 of 100 → 差            → marked: grade_poor
  B: spent 850,000 (balance 15% ≥ 10%); 2024's B spent 880,000 (12%)  → balance_two_years
  C: spent 850,000 (15%); 2024's C spent 950,000 (5%)                  → not marked
  2025-E (unit U1, named 绿化养护): 800,000 (20%); 2024-E of the same unit and name
     850,000 (15%), matched by name because the codes carry the year    → balance_two_years
  F: spent 700,000 (30%), no 2024 project at all                        → not marked
  B, C, F have one indicator each, fully met (优); E is a social insurance fund project, so it
  has no self-evaluation grade. S (sensitive department) spent 950,000 (5%)."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from perfbudget import db
from perfbudget.db import run_query
from perfbudget.scope import Scope


@pytest.fixture
def review_db():
    conn = db.connect()
    conn.execute(
        "insert into departments values ('D1', '测试局', '测试区', false, null),"
        " ('D9', '保密局', '测试区', true, null)"
    )
    projects = [
        (2025, "A", "项目A", "D1", None, "一般公共预算", "950000"),
        (2025, "B", "项目B", "D1", None, "一般公共预算", "850000"),
        (2025, "C", "项目C", "D1", None, "一般公共预算", "850000"),
        (2025, "2025-E", "绿化养护", "D1", "U1", "社会保险基金预算", "800000"),
        (2025, "F", "项目F", "D1", None, "一般公共预算", "700000"),
        (2025, "S", "保密项目", "D9", None, "社会保险基金预算", "950000"),
        (2024, "B", "项目B", "D1", None, "一般公共预算", "880000"),
        (2024, "C", "项目C", "D1", None, "一般公共预算", "950000"),
        (2024, "2024-E", "绿化养护", "D1", "U1", "社会保险基金预算", "850000"),
        (2024, "S", "保密项目", "D9", None, "社会保险基金预算", "500000"),
    ]
    for year, code, name, dept, unit, budget_type, spent in projects:
        conn.execute(
            "insert into projects (year, project_code, project_name, department_code, unit_code,"
            " budget_type, adjusted_budget_yuan) values (?, ?, ?, ?, ?, ?, 1000000)",
            [year, code, name, dept, unit, budget_type],
        )
        conn.execute(
            "insert into spending (year, month, project_code, cumulative_yuan)"
            " values (?, 12, ?, ?)",
            [year, code, Decimal(spent)],
        )
    for code, actual in (("A", 2), ("B", 10), ("C", 10), ("F", 10)):
        conn.execute(
            "insert into indicators (year, project_code, level1, level2, indicator_name, operator,"
            " target_value, target_text, points) values (2025, ?, '产出指标', '数量指标', '数量',"
            " '≥', 10, '≥10', 90)",
            [code],
        )
        conn.execute(
            "insert into indicator_actuals (year, project_code, level1, level2, indicator_name,"
            " month, actual_value) values (2025, ?, '产出指标', '数量指标', '数量', 12, ?)",
            [code, actual],
        )
    return conn


def test_a_poor_grade_or_two_years_of_large_balances_mark_the_project(review_db):
    df = run_query(review_db, "project_budget_review", year=2025)
    rows = {r["project_code"]: r for r in df.to_dict("records")}
    assert set(rows) == {"A", "B", "2025-E"}
    assert rows["A"]["reasons"] == "grade_poor"
    assert rows["A"]["grade"] == "差"
    assert rows["A"]["total_score"] == 27.5
    assert rows["B"]["reasons"] == "balance_two_years"
    assert rows["B"]["balance_rate"] == pytest.approx(0.15)
    assert rows["B"]["previous_balance_rate"] == pytest.approx(0.12)
    assert rows["B"]["grade"] == "优"  # 8.5 + 90 = 98.5: a good grade does not clear it
    assert rows["2025-E"]["previous_project_code"] == "2024-E"
    assert rows["2025-E"]["previous_balance_rate"] == pytest.approx(0.15)
    assert not isinstance(rows["2025-E"]["grade"], str)  # no self-evaluation


def test_the_balance_line_is_the_large_balance_yellow_threshold(review_db):
    review_db.execute(
        "update thresholds set value = 0.13 where rule_id = 'large_balance' and name = 'yellow_at'"
    )
    df = run_query(review_db, "project_budget_review", year=2025)
    # B's 2024 balance of 12% is now below the line; E's 15% in both years still counts
    assert sorted(df["project_code"]) == ["2025-E", "A"]


def test_sensitive_projects_leave_with_the_scope(review_db):
    review_db.execute("update spending set cumulative_yuan = 100000 where project_code = 'S'")
    # 90% unspent in both years
    everything = run_query(review_db, "project_budget_review", year=2025)
    public = run_query(review_db, "project_budget_review", Scope.public(), year=2025)
    assert "S" in set(everything["project_code"])
    assert "S" not in set(public["project_code"])


def test_without_december_data_no_balance_is_judged(review_db):
    review_db.execute("update spending set month = 11 where year = 2025")
    df = run_query(review_db, "project_budget_review", year=2025)
    assert df["balance_rate"].isna().all()
    assert not df["is_balance_two_years"].any()


def test_an_incomplete_or_missing_self_evaluation_is_never_marked_for_its_grade(review_db):
    # A's one indicator loses its year-end value: with no table either, A has no
    # self-evaluation at all (docs/figures.md#self-evaluation-status), so no 差 and no mark
    review_db.execute("delete from indicator_actuals where project_code = 'A'")
    df = run_query(review_db, "project_budget_review", year=2025)
    assert "A" not in set(df["project_code"])
    # with its table (claiming 100) it is incomplete: still no grade, still not marked
    review_db.execute(
        "insert into self_evaluations (year, project_code, claimed_total_score)"
        " values (2025, 'A', 100)"
    )
    df = run_query(review_db, "project_budget_review", year=2025)
    assert "A" not in set(df["project_code"])
    scores = run_query(review_db, "project_selfeval", year=2025).set_index("project_code")
    assert scores.loc["A", "status"] == "incomplete"
    assert scores.loc["A", "missing_indicator_count"] == 1


def test_a_balance_mark_stands_beside_an_incomplete_self_evaluation(review_db):
    review_db.execute("delete from indicator_actuals where project_code = 'B'")
    df = run_query(review_db, "project_budget_review", year=2025).set_index("project_code")
    assert df.loc["B", "reasons"] == "balance_two_years"
    assert df.loc["B", "selfeval_status"] == "none"
    assert pd.isna(df.loc["B", "grade"])
    assert df.loc["A", "selfeval_status"] == "complete"
