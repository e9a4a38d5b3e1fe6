"""Self-evaluation scoring (docs/figures.md#self-evaluation-scoring) on one project worked out by hand:
budget 1,000,000 元, spent 950,000 by December → execution 10 × 0.95 = 9.5.
Indicators (year-end actuals):
  产出/数量 ≥100, 30 pts, actual 90          → 30 × 0.9 = 27
  产出/质量 ≤5,  20 pts, actual 4            → 20 × 1   = 20
  效益/社会 定性, 30 pts, 部分达成预期指标, claimed 25 → 25 is outside the 部分达成 band
                                               [18, 24) → 30 × 0.7 = 21 (adjusted)
  满意度 ≥90, 10 pts, actual 85              → 10 × 85/90 = 9.444…
Total 9.5 + 27 + 20 + 21 + 9.444… = 86.944… of 100 → 86.94, 良. The file claims 92 → 优:
over-scored by 5.06."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from perfbudget import db
from perfbudget.db import run_query

YEAR = 2025

INDICATORS = [
    ("产出指标", "数量指标", "建成数量", "≥", "100", "30", "90", None, None),
    ("产出指标", "质量指标", "事故数", "≤", "5", "20", "4", None, None),
    ("效益指标", "社会效益指标", "社会影响", "定性", None, "30", None, "部分达成预期指标", "25"),
    ("满意度指标", "服务对象满意度指标", "满意度", "≥", "90", "10", "85", None, None),
]


def selfeval_db(indicators=INDICATORS, budget_type="一般公共预算", claimed_total="92"):
    conn = db.connect()
    conn.execute("insert into departments values ('D1', '测试局', '测试区', false, null)")
    conn.execute(
        "insert into projects (year, project_code, project_name, department_code, budget_type,"
        " adjusted_budget_yuan) values (?, 'X1', '测试项目', 'D1', ?, 1000000)",
        [YEAR, budget_type],
    )
    conn.execute(
        "insert into spending (year, month, project_code, cumulative_yuan) values (?, 12, 'X1', 950000)",
        [YEAR],
    )
    for l1, l2, name, op, target, points, actual, text, claimed in indicators:
        conn.execute(
            "insert into indicators (year, project_code, level1, level2, indicator_name, operator,"
            " target_value, target_text, points) values (?, 'X1', ?, ?, ?, ?, ?, ?, ?)",
            [
                YEAR,
                l1,
                l2,
                name,
                op,
                None if target is None else Decimal(target),
                f"{op}{target}" if target else "效果明显",
                Decimal(points),
            ],
        )
        conn.execute(
            "insert into indicator_actuals (year, project_code, level1, level2, indicator_name,"
            " month, actual_value, actual_text, claimed_score) values (?, 'X1', ?, ?, ?, 12, ?, ?, ?)",
            [
                YEAR,
                l1,
                l2,
                name,
                None if actual is None else Decimal(actual),
                text,
                None if claimed is None else Decimal(claimed),
            ],
        )
    if claimed_total is not None:
        conn.execute(
            "insert into self_evaluations (year, project_code, claimed_total_score) values (?, 'X1', ?)",
            [YEAR, Decimal(claimed_total)],
        )
    return conn


def score(conn):
    df = run_query(conn, "project_selfeval", year=YEAR)
    return None if df.empty else df.iloc[0]


def test_score_grade_and_claimed_score_computed_by_hand():
    row = score(selfeval_db())
    assert row["execution_score"] == 9.5
    assert row["indicator_score"] == pytest.approx(27 + 20 + 21 + 9.44, abs=0.01)
    assert row["total_score"] == 86.94
    assert row["grade"] == "良"
    assert row["claimed_total_score"] == 92
    assert row["claimed_grade"] == "优"
    assert row["is_over_scored"]
    assert row["qualitative_adjusted_count"] == 1


def test_a_qualitative_claim_inside_its_band_is_kept():
    indicators = [*INDICATORS]
    indicators[2] = (*indicators[2][:8], "22")  # 部分达成 band is 18 ≤ x < 24
    row = score(selfeval_db(indicators))
    assert row["total_score"] == 87.94  # 86.944 − 21 + 22
    assert row["qualitative_adjusted_count"] == 0


def test_not_applicable_indicators_rescale_the_total():
    indicators = [*INDICATORS]
    l1, l2, name, *_ = indicators[3]
    indicators[3] = (l1, l2, name, "不适用", None, "10", None, "不适用", None)
    row = score(selfeval_db(indicators))
    # (9.5 + 27 + 20 + 21) ÷ (10 + 30 + 20 + 30) × 100 = 86.111…
    assert row["total_score"] == 86.11


def test_claimed_total_falls_back_to_the_sum_of_claimed_scores():
    indicators = [(*row[:8], "20") if row[3] != "定性" else row for row in INDICATORS]
    row = score(selfeval_db(indicators, claimed_total=None))
    # claimed 20 + 20 + 25 + 20 = 85 (no execution claim) → 良, same as computed
    assert row["claimed_total_score"] == 85
    assert row["claimed_grade"] == "良"
    assert not row["is_over_scored"]


def test_grade_bands_include_their_lower_bound():
    conn = selfeval_db()
    conn.execute("update thresholds set value = 86.94 where name = 'grade_excellent_at'")
    assert score(conn)["grade"] == "优"


def test_social_insurance_fund_projects_are_not_scored():
    assert score(selfeval_db(budget_type="社会保险基金预算")) is None


def test_a_complete_self_evaluation_says_so():
    row = score(selfeval_db())
    assert row["status"] == "complete"
    assert row["missing_indicator_count"] == 0


def test_an_indicator_without_a_year_end_value_leaves_the_evaluation_incomplete_and_unscored():
    # docs/figures.md#self-evaluation-status: this used to score 86.944… − 27 = 59.94, 差 (and so a
    # budget-review mark); a missing year-end value is not a zero
    conn = selfeval_db()
    conn.execute("delete from indicator_actuals where indicator_name = '建成数量'")
    row = score(conn)
    assert row["status"] == "incomplete"
    assert row["missing_indicator_count"] == 1
    for column in (
        "execution_score",
        "indicator_score",
        "total_score",
        "score_difference",
        "grade",
        "is_over_scored",
    ):
        assert pd.isna(row[column]), column  # not scored
    # the unit's claims stay
    assert row["claimed_total_score"] == 92
    assert row["claimed_grade"] == "优"


def test_a_claimed_score_without_an_actual_counts_as_missing():
    conn = selfeval_db()
    # 社会影响 keeps its claimed 得分 25 but loses its 实际完成值; 事故数 loses its value too
    conn.execute(
        "update indicator_actuals set actual_text = null where indicator_name = '社会影响'"
    )
    conn.execute(
        "update indicator_actuals set actual_value = null, actual_text = '  ',"
        " claimed_score = 20 where indicator_name = '事故数'"
    )
    row = score(conn)
    assert row["status"] == "incomplete"
    assert row["missing_indicator_count"] == 2
    assert pd.isna(row["total_score"])


def test_a_not_applicable_indicator_without_a_value_is_not_missing():
    indicators = [*INDICATORS]
    l1, l2, name, *_ = indicators[3]
    indicators[3] = (l1, l2, name, "不适用", None, "10", None, "不适用", None)
    conn = selfeval_db(indicators)
    conn.execute("delete from indicator_actuals where indicator_name = '满意度'")
    row = score(conn)
    assert row["status"] == "complete"
    assert row["missing_indicator_count"] == 0
    assert row["total_score"] == 86.11  # as in test_not_applicable_indicators_rescale_the_total


def test_no_table_and_no_year_end_actual_is_no_self_evaluation():
    conn = selfeval_db(claimed_total=None)
    conn.execute("update indicator_actuals set month = 11")
    row = score(conn)
    assert row["status"] == "none"
    assert row["missing_indicator_count"] == 4
    assert pd.isna(row["total_score"]) and pd.isna(row["grade"]) and pd.isna(row["is_over_scored"])
    assert pd.isna(row["claimed_total_score"])


def test_a_new_project_without_indicators_or_table_gets_no_score():
    # the case: 40 / 差 on its execution alone
    conn = selfeval_db(indicators=[], claimed_total=None)
    conn.execute("update spending set cumulative_yuan = 400000")
    row = score(conn)
    assert row["status"] == "none"
    assert row["missing_indicator_count"] == 0
    assert pd.isna(row["grade"]) and pd.isna(row["total_score"])


def test_a_table_without_indicators_is_complete_and_scored_on_execution():
    conn = selfeval_db(indicators=[], claimed_total="100")
    row = score(conn)
    assert row["status"] == "complete"
    assert row["total_score"] == 95.0  # 9.5 of 10 execution points, rescaled to 100
    assert row["grade"] == "优"


def test_year_end_actuals_without_a_table_are_enough():
    row = score(selfeval_db(claimed_total=None))
    assert row["status"] == "complete"
    assert row["total_score"] == 86.94
