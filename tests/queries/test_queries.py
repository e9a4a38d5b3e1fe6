"""Every query on the hand fixture (tests/hand_fixture.py): the expected figures are the ones
worked out by hand in that file's docstring, not what the code printed."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from perfbudget.db import run_query
from perfbudget.scope import Scope

YEAR, JULY = 2025, 7
TIME_PROGRESS_JULY = 7 / 12


def by_code(df, column="project_code"):
    return {row[column]: row for row in df.to_dict("records")}


def test_project_execution_rates_pace_and_gap_against_time_progress(hand_db):
    rows = by_code(run_query(hand_db, "project_execution", year=YEAR, month=JULY))
    p001 = rows["P001"]
    assert p001["spent_yuan"] == Decimal("560000.00")
    assert p001["execution_rate"] == pytest.approx(560_000 / 1_200_000)
    assert p001["time_progress"] == pytest.approx(TIME_PROGRESS_JULY)
    # 560,000 ÷ 1,200,000 ÷ 7/12 is exactly 0.8
    assert p001["pace"] == 0.8
    assert p001["gap_pp"] == pytest.approx((560_000 / 1_200_000 - 7 / 12) * 100)
    assert rows["P002"]["pace"] == 0.6
    assert rows["P004"]["execution_rate"] == pytest.approx(1.15)


def test_spending_is_carried_forward_per_fund_key(hand_db):
    rows = by_code(run_query(hand_db, "project_execution", year=YEAR, month=JULY))
    # P008: 当年财政拨款 400,000 in July + 上年结转 100,000 reported only in February
    assert rows["P008"]["spent_yuan"] == Decimal("500000.00")
    # P002 reported 100,000 in March; in May that value still stands
    may = by_code(run_query(hand_db, "project_execution", year=YEAR, month=5))
    assert may["P002"]["spent_yuan"] == Decimal("100000.00")


def test_zero_budget_gives_empty_rate_and_unreported_month_is_marked(hand_db):
    rows = by_code(run_query(hand_db, "project_execution", year=YEAR, month=JULY))
    assert rows["P006"]["execution_rate"] != rows["P006"]["execution_rate"]  # NaN
    assert not rows["P009"]["is_reported"]
    assert rows["P009"]["last_reported_month"] == 5
    assert rows["P001"]["is_reported"]


def test_department_rate_is_budget_weighted(hand_db):
    rows = by_code(
        run_query(hand_db, "department_execution", year=YEAR, month=JULY), "department_code"
    )
    d01 = rows["D01"]
    # budgets 1.2M + 1M + 20M + 1M = 23.2M; spent 560k + 350k + 7M + 500k = 8.41M
    assert d01["adjusted_budget_yuan"] == Decimal("23200000.00")
    assert d01["spent_yuan"] == Decimal("8410000.00")
    assert d01["execution_rate"] == pytest.approx(8.41 / 23.2)
    assert d01["project_count"] == 4


def test_district_totals(hand_db):
    df = run_query(hand_db, "district_execution", year=YEAR, month=JULY)
    assert len(df) == 1
    row = df.iloc[0]
    assert row["adjusted_budget_yuan"] == Decimal("24600000.00")
    assert row["spent_yuan"] == Decimal("9545000.00")
    assert row["execution_rate"] == pytest.approx(9_545_000 / 24_600_000)


def test_scope_hides_sensitive_departments_and_narrows_to_departments(hand_db):
    public = run_query(hand_db, "project_execution", Scope.public(), year=YEAR, month=JULY)
    assert "P007" not in set(public["project_code"])  # its department is sensitive
    assert len(public) == 8
    d02 = run_query(
        hand_db, "project_execution", Scope(departments=("D02",)), year=YEAR, month=JULY
    )
    assert set(d02["project_code"]) == {"P004", "P005", "P006", "P009"}
    flags = run_query(hand_db, "warning_slow_spending", Scope.public(), year=YEAR, month=JULY)
    assert "P007" not in set(flags["project_code"])


def test_execution_trend_carries_spending_forward_month_by_month(hand_db):
    df = run_query(hand_db, "execution_trend", year=YEAR, month=JULY, department_code="D01")
    spent = [row for row in df["spent_yuan"]]
    assert spent == [
        Decimal(v)
        for v in (
            "150000.00",
            "300000.00",
            "450000.00",
            "550000.00",
            "650000.00",
            "5750000.00",
            "8410000.00",
        )
    ]
    assert list(df["time_progress"]) == pytest.approx([m / 12 for m in range(1, 8)])
    assert df["period_spent_yuan"].iloc[5] == Decimal("5100000.00")


def test_project_monthly_curve_stops_at_the_last_report(hand_db):
    df = run_query(hand_db, "project_monthly_curve", year=YEAR, project_code="P008")
    assert len(df) == 12
    assert df["spent_yuan"].iloc[2] == Decimal("200000.00")  # March: 100k + carried 100k
    assert df["spent_yuan"].iloc[6] == Decimal("500000.00")
    assert df["spent_yuan"].iloc[7] is None  # August not reported
    assert not df["is_reported"].iloc[7]


def test_indicator_attainment_and_progress_follow_domain_rules(hand_db):
    df = run_query(hand_db, "indicator_attainment", year=YEAR, month=JULY)
    rows = {r["indicator"]: r for r in df.to_dict("records")}
    # cumulative 数量 ≥: a = 35/100, v = 35 ÷ (100 × 7/12) = 0.6 exactly → yellow
    assert rows["维修校舍数"]["attainment"] == pytest.approx(0.35)
    assert rows["维修校舍数"]["progress"] == 0.6
    assert rows["维修校舍数"]["light"] == "yellow"
    # ≤ with actual below target: 1
    assert rows["响应时间"]["attainment"] == 1.0
    # ≤ with actual above target: target ÷ actual
    assert rows["单校造价"]["attainment"] == pytest.approx(0.9)
    # 序时目标值 given: v = actual ÷ period target
    assert rows["服务场次"]["progress"] == 1.0
    # qualitative: 部分达成预期指标 is 0.7, not 1.0 (it contains 达成预期指标)
    assert rows["学生课后安全"]["attainment"] == pytest.approx(0.7)
    assert rows["节约家庭支出"]["light"] == "blue"
    assert rows["绿色建筑认证"]["light"] == "grey"
    assert rows["培训人次"]["light"] == "red"


def test_output_progress_is_points_weighted_capped_progress_of_output_indicators(hand_db):
    rows = by_code(run_query(hand_db, "project_output_progress", year=YEAR, month=JULY))
    assert rows["P001"]["output_progress"] == pytest.approx((20 * 0.6 + 10 * 1) / 30)
    # level-1 成本指标 counts as output; 不适用 is left out
    assert rows["P003"]["output_progress"] == pytest.approx(0.95)
    assert rows["P003"]["output_indicator_count"] == 2
    assert rows["P002"]["output_progress"] == 1.0


def test_scope_summary_tiles(hand_db):
    row = run_query(hand_db, "scope_summary", year=YEAR, month=JULY).iloc[0]
    assert row["project_count"] == 9
    assert row["execution_rate"] == pytest.approx(9_545_000 / 24_600_000)
    assert row["pace_light"] == "yellow"  # R = 0.665
    assert row["indicator_on_track_count"] == 7
    assert row["indicator_reported_count"] == 10


def test_target_scorecard_counts_lights(hand_db):
    rows = by_code(run_query(hand_db, "project_target_scorecard", year=YEAR, month=JULY))
    p002 = rows["P002"]
    assert (p002["green_count"], p002["yellow_count"], p002["blue_count"]) == (3, 1, 1)
    assert p002["worst_light"] == "yellow"
    assert rows["P008"]["worst_light"] == "red"


def test_time_progress_day_basis_setting(hand_db):
    hand_db.execute("update settings set value = 'day' where key = 'time_progress_basis'")
    row = by_code(run_query(hand_db, "project_execution", year=YEAR, month=JULY))["P001"]
    assert row["time_progress"] == pytest.approx(212 / 365)  # Jan 1 – Jul 31, 2025


def test_an_indicator_without_a_value_has_no_attainment_and_no_weight(hand_db):
    hand_db.execute("delete from indicator_actuals where indicator_name = '验收合格率'")
    rows = {
        r["indicator"]: r
        for r in run_query(hand_db, "indicator_attainment", year=YEAR, month=JULY).to_dict(
            "records"
        )
    }
    assert rows["验收合格率"]["attainment_capped"] != rows["验收合格率"]["attainment_capped"]  # NaN
    assert rows["验收合格率"]["light"] == "grey"
    card = by_code(run_query(hand_db, "project_target_scorecard", year=YEAR, month=JULY))
    # only 维修校舍数 is left: 20 pts × capped attainment 0.35 ÷ 20
    assert card["P001"]["weighted_attainment"] == pytest.approx(0.35)
    progress = by_code(run_query(hand_db, "project_output_progress", year=YEAR, month=JULY))
    assert progress["P001"]["output_progress"] == pytest.approx(0.6)


def test_dual_monitoring_quadrants(hand_db):
    rows = by_code(run_query(hand_db, "project_dual_monitoring", year=YEAR, month=JULY))
    # P001: R = 0.8 (not behind), output progress 0.7333 (behind) → spending ahead of outputs
    assert rows["P001"]["quadrant"] == "spending_ahead"
    assert rows["P002"]["quadrant"] == "outputs_ahead"  # R 0.6, outputs 1.0
    assert rows["P008"]["difference"] == pytest.approx(6 / 7 - 0.3)
    assert set(rows) == {"P001", "P002", "P003", "P008"}  # only projects with both figures


def test_project_costs_unit_cost(hand_db):
    hand_db.execute("update projects set service_class = '绿化养护' where project_code = 'P001'")
    hand_db.execute(
        "insert into costs values (2025, 'P001', '人员成本', 30000, 200, '平方米', null),"
        " (2025, 'P001', '运行维护', 20000, 200, '平方米', null)"
    )
    df = run_query(hand_db, "project_costs", year=YEAR)
    assert len(df) == 2
    assert df["total_cost_yuan"].iloc[0] == Decimal("50000.00")
    assert df["unit_cost_yuan"].iloc[0] == 250.0  # 50,000 ÷ 200


def test_lights_follow_thresholds_edited_in_the_database(hand_db):
    hand_db.execute(
        "update thresholds set value = 0.7 where rule_id = 'slow_spending'"
        " and name = 'pace_red_below'"
    )
    assert run_query(hand_db, "scope_summary", year=YEAR, month=JULY).iloc[0]["pace_light"] == "red"
    hand_db.execute(
        "update thresholds set value = 0.65 where rule_id = 'indicator_behind'"
        " and name = 'red_below'"
    )
    rows = {
        r["indicator"]: r
        for r in run_query(hand_db, "indicator_attainment", year=YEAR, month=JULY).to_dict(
            "records"
        )
    }
    assert rows["维修校舍数"]["light"] == "red"  # v = 0.6 < 0.65


def test_project_costs_reference_follows_the_rule(hand_db):
    # three 绿化养护 projects at 10, 12 and 15 元/平方米: median 12, enough peers (3)
    for code, total in (("P001", 1000), ("P002", 1200), ("P004", 1500)):
        hand_db.execute(
            "update projects set service_class = '绿化养护' where project_code = ?", [code]
        )
        hand_db.execute(
            "insert into costs values (2025, ?, '运行维护', ?, 100, '平方米', null)", [code, total]
        )
    rows = by_code(run_query(hand_db, "project_costs", year=YEAR))
    assert rows["P004"]["reference_basis"] == "peer_median"
    assert rows["P004"]["reference_unit_cost_yuan"] == 12.0
    assert rows["P004"]["deviation"] == pytest.approx(0.25)
    assert rows["P004"]["item_share"] == 1.0
    # with one peer fewer there is no reference at all
    hand_db.execute("delete from costs where project_code = 'P001'")
    rows = by_code(run_query(hand_db, "project_costs", year=YEAR))
    assert pd.isna(rows["P004"]["reference_basis"])
    # a standard wins over the median
    hand_db.execute("insert into cost_standards values (2025, '绿化养护', '平方米', 10, null)")
    rows = by_code(run_query(hand_db, "project_costs", year=YEAR))
    assert (rows["P004"]["reference_basis"], rows["P004"]["deviation"]) == (
        "standard",
        pytest.approx(0.5),
    )
