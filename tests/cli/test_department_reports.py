"""Department-level reports on the hand fixture: league table, rectification, disclosure."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfbudget.db import run_query

YEAR, JULY = 2025, 7


def test_league_table_scores_and_ranks_by_hand(hand_db):
    df = run_query(hand_db, "department_league", year=YEAR, month=JULY)
    rows = {r["department_code"]: r for r in df.to_dict("records")}
    # D02: pace 1.48 → 1; no indicators, self-evaluations or rectifications; nothing
    # disclosed → 0. (30 × 1 + 10 × 0) ÷ 40 = 75.0
    assert rows["D02"]["score"] == 75.0
    assert rows["D02"]["targets_part"] != rows["D02"]["targets_part"]  # NaN: no data
    # D01: pace 0.621429; targets 114 ÷ 150 = 0.76; disclosure 0
    assert rows["D01"]["execution_part"] == pytest.approx(8.41 / 23.2 * 12 / 7)
    assert rows["D01"]["targets_part"] == pytest.approx(0.76)
    assert rows["D01"]["score"] == 59.2
    # D03 is a sensitive department: no public projects, so no disclosure part
    assert rows["D03"]["disclosure_part"] != rows["D03"]["disclosure_part"]
    assert list(df["department_code"]) == ["D02", "D01", "D03"]
    assert list(df["rank"]) == [1, 2, 3]


def test_league_weights_come_from_the_database(hand_db):
    hand_db.execute(
        "update thresholds set value = 0 where rule_id = 'league' and name = 'weight_disclosure'"
    )
    rows = {
        r["department_code"]: r
        for r in run_query(hand_db, "department_league", year=YEAR, month=JULY).to_dict("records")
    }
    assert rows["D02"]["score"] == 100.0


def test_rectification_status_by_department(hand_db):
    hand_db.execute("""
        insert into rectifications (project_code, issue, feedback_date, done_date) values
        ('P001', '按时完成', DATE '2025-05-01', DATE '2025-05-20'),
        ('P001', '延期完成', DATE '2025-05-01', DATE '2025-06-20'),
        ('P002', '逾期未改', DATE '2025-05-01', null),
        ('P003', '尚未到期', DATE '2025-07-15', null),
        ('P004', '八月才完成', DATE '2025-05-01', DATE '2025-08-10')
    """)
    items = run_query(hand_db, "rectification_items", year=YEAR, month=JULY)
    status = dict(zip(items["issue"], items["status"], strict=True))
    assert status == {
        "按时完成": "done",
        "延期完成": "done_late",
        "逾期未改": "overdue",
        "尚未到期": "open",
        "八月才完成": "overdue",
    }
    days = dict(zip(items["issue"], items["days_overdue"], strict=True))
    assert days["逾期未改"] == 61  # due 5-31, as of 7-31
    assert days["延期完成"] == 20  # due 5-31, done 6-20
    rows = {
        r["department_code"]: r
        for r in run_query(hand_db, "department_rectification", year=YEAR, month=JULY).to_dict(
            "records"
        )
    }
    d01 = rows["D01"]
    assert (d01["done_count"], d01["done_late_count"], d01["overdue_count"], d01["open_count"]) == (
        1,
        1,
        1,
        1,
    )
    assert d01["on_time_rate"] == pytest.approx(1 / 3)


def test_disclosure_by_department(hand_db):
    hand_db.execute("update projects set targets_disclosed = true where project_code = 'P003'")
    rows = {
        r["department_code"]: r
        for r in run_query(hand_db, "department_disclosure", year=YEAR).to_dict("records")
    }
    d01 = rows["D01"]
    # initial budgets 1.2M + 0.8M + 20M + 1M = 23M; P003's 20M disclosed
    assert d01["total_budget_yuan"] == Decimal("23000000.00")
    assert d01["coverage"] == pytest.approx(20 / 23)
    assert d01["meets_coverage"]
    assert d01["large_project_count"] == 1 and d01["large_undisclosed_count"] == 0
    assert "D03" not in rows  # a sensitive department is never disclosed
