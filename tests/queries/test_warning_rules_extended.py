"""The rules beyond the four core ones, each at and around its thresholds: large_balance,
cost_above_reference, target_not_met, rectification_overdue, disclosure_gap, data_quality.
Figures are chosen so the boundary can be checked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from perfbudget import db
from perfbudget.db import run_query
from perfbudget.flags import warning_flags
from perfbudget.scope import Scope

YEAR = 2025


def base_db(
    budget: str = "1000000",
    initial: str | None = None,
    disclosed: bool = False,
    sensitive: bool = False,
):
    conn = db.connect()
    conn.execute("insert into departments values ('D1', '测试局', '测试区', false, null)")
    conn.execute(
        "insert into projects (year, project_code, project_name, department_code,"
        " adjusted_budget_yuan, initial_budget_yuan, targets_disclosed, is_sensitive)"
        " values (?, 'X1', '测试项目', 'D1', ?, ?, ?, ?)",
        [YEAR, Decimal(budget), Decimal(initial or budget), disclosed, sensitive],
    )
    return conn


def add_spending(conn, month: int, cumulative: str, forecast: str | None = None) -> None:
    conn.execute(
        "insert into spending (year, month, project_code, cumulative_yuan, forecast_yuan)"
        " values (?, ?, 'X1', ?, ?)",
        [YEAR, month, Decimal(cumulative), None if forecast is None else Decimal(forecast)],
    )


def only_severity(conn, query: str, **params) -> str | None:
    df = run_query(conn, query, year=YEAR, **params)
    return None if df.empty else df.iloc[0]["severity"]


# --- large_balance: budget 1,000,000 -------------------------------------------------------


@pytest.mark.parametrize(
    ("forecast", "expected"),
    [
        ("900001", None),  # balance rate 9.9999%
        ("900000", "yellow"),  # 10% exactly: ≥ 10%
        ("800001", "yellow"),
        ("800000", "red"),  # 20% exactly
    ],
)
def test_large_balance_on_the_forecast(forecast, expected):
    conn = base_db()
    add_spending(conn, 6, "400000", forecast)
    assert only_severity(conn, "warning_large_balance", month=6) == expected


def test_large_balance_needs_a_forecast_in_year():
    conn = base_db()
    add_spending(conn, 6, "100000")
    assert only_severity(conn, "warning_large_balance", month=6) is None


@pytest.mark.parametrize(
    ("spent", "expected"), [("900000", "yellow"), ("799999.99", "red"), ("900000.01", None)]
)
def test_large_balance_at_year_end_is_one_minus_execution(spent, expected):
    conn = base_db()
    add_spending(conn, 12, spent)
    assert only_severity(conn, "warning_large_balance", month=12) == expected


# --- cost_above_reference ----------------------------------------------------------------


def cost_db(unit_costs: dict[str, str], standard: str | None = None):
    conn = db.connect()
    conn.execute("insert into departments values ('D1', '绿化局', '测试区', false, null)")
    for code, cost in unit_costs.items():
        conn.execute(
            "insert into projects (year, project_code, project_name, department_code,"
            " adjusted_budget_yuan, service_class) values (?, ?, ?, 'D1', 1000000, '绿化养护')",
            [YEAR, code, f"{code}绿化"],
        )
        # two cost items; the output quantity (100 平方米) repeats on both rows
        total = Decimal(cost) * 100
        conn.execute(
            "insert into costs values (?, ?, '人员成本', ?, 100, '平方米', null)",
            [YEAR, code, total / 2],
        )
        conn.execute(
            "insert into costs values (?, ?, '运行维护', ?, 100, '平方米', null)",
            [YEAR, code, total / 2],
        )
    if standard is not None:
        conn.execute(
            "insert into cost_standards values (?, '绿化养护', '平方米', ?, null)",
            [YEAR, Decimal(standard)],
        )
    return conn


def cost_flags(conn) -> dict[str, str]:
    df = run_query(conn, "warning_cost_above_reference", year=YEAR)
    return dict(zip(df["project_code"], df["severity"], strict=True))


def test_cost_against_the_standard_bands():
    # standard 10 元/平方米: 11 is +10% (not > 10%), 11.01 yellow, 12 is +20% (yellow), 12.01 red
    conn = cost_db({"A": "11", "B": "11.01", "C": "12", "D": "12.01"}, standard="10")
    assert cost_flags(conn) == {"B": "yellow", "C": "yellow", "D": "red"}


def test_cost_against_the_peer_median_needs_three_peers():
    # unit costs 10, 12, 15: median 12; 15 ÷ 12 − 1 = 25% → red
    assert cost_flags(cost_db({"A": "10", "B": "12", "C": "15"})) == {"C": "red"}
    # two peers only: no reference, no flag
    assert cost_flags(cost_db({"A": "10", "B": "15"})) == {}
    # four peers 10, 12, 13, 15: median (12 + 13) ÷ 2 = 12.5; 15 ÷ 12.5 − 1 = 20% → yellow
    assert cost_flags(cost_db({"A": "10", "B": "12", "C": "13", "D": "15"})) == {"D": "yellow"}


# --- target_not_met (year end) --------------------------------------------------------------


def add_indicator(conn, actual: str, month: int = 12, operator: str = "≥", target: str = "100"):
    conn.execute(
        "insert into indicators (year, project_code, level1, level2, indicator_name, operator,"
        " target_value, target_text, unit, points) values (?, 'X1', '效益指标', '社会效益指标',"
        " '覆盖人数', ?, ?, ?, '人', 30)",
        [YEAR, operator, Decimal(target), f"{operator}{target}人"],
    )
    conn.execute(
        "insert into indicator_actuals (year, project_code, level1, level2, indicator_name,"
        " month, actual_value) values (?, 'X1', '效益指标', '社会效益指标', '覆盖人数', ?, ?)",
        [YEAR, month, Decimal(actual)],
    )


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("80", None),
        ("79.9", "yellow"),
        ("60", "yellow"),
        ("59.9", "red"),
        ("129.9", None),
        ("130", "blue"),
    ],
)
def test_target_not_met_bands_at_year_end(actual, expected):
    conn = base_db()
    add_indicator(conn, actual)
    assert only_severity(conn, "warning_target_not_met", month=12) == expected


def test_target_not_met_only_at_year_end():
    conn = base_db()
    add_indicator(conn, "10")
    assert only_severity(conn, "warning_target_not_met", month=11) is None


# --- rectification_overdue -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("feedback", "done", "expected", "days"),
    [
        # due 30 days after feedback; as of 2025-07-31
        (date(2025, 7, 1), None, None, 0),  # due 7-31: not yet overdue
        (date(2025, 6, 30), None, "yellow", 1),  # due 7-30: 1 day overdue
        (date(2025, 6, 1), None, "yellow", 30),  # due 7-1: 30 days → yellow
        (date(2025, 5, 31), None, "red", 31),  # due 6-30: 31 days → red
        (date(2025, 5, 1), date(2025, 7, 15), None, 0),  # done (late, but done)
        (date(2025, 5, 1), date(2025, 8, 15), "red", 61),  # done after the as-of date
    ],
)
def test_rectification_overdue_days(feedback, done, expected, days):
    conn = base_db()
    conn.execute(
        "insert into rectifications values ('X1', '台账不全', ?, ?, null)", [feedback, done]
    )
    df = run_query(conn, "warning_rectification_overdue", year=YEAR, month=7)
    if expected is None:
        assert df.empty
    else:
        assert df.iloc[0]["severity"] == expected
        assert df.iloc[0]["days_overdue"] == days


# --- disclosure_gap ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("initial", "disclosed", "sensitive", "expected_sub_rules"),
    [
        ("5000000", False, False, {"project_not_disclosed", "department_coverage"}),
        ("4999999.99", False, False, {"department_coverage"}),
        ("5000000", True, False, set()),
        ("9000000", False, True, set()),  # sensitive: never disclosed, never flagged
    ],
)
def test_disclosure_gap(initial, disclosed, sensitive, expected_sub_rules):
    conn = base_db(initial=initial, disclosed=disclosed, sensitive=sensitive)
    df = run_query(conn, "warning_disclosure_gap", year=YEAR)
    assert set(df["sub_rules"]) == expected_sub_rules


def test_disclosure_coverage_at_exactly_half_is_enough():
    conn = base_db(initial="1000000", disclosed=True)
    conn.execute(
        "insert into projects (year, project_code, project_name, department_code,"
        " adjusted_budget_yuan, initial_budget_yuan) values (?, 'X2', '另一项目', 'D1', 1000000, 1000000)",
        [YEAR],
    )
    assert run_query(conn, "warning_disclosure_gap", year=YEAR).empty
    conn.execute("update projects set initial_budget_yuan = 1000000.01 where project_code = 'X2'")
    assert list(run_query(conn, "warning_disclosure_gap", year=YEAR)["sub_rules"]) == [
        "department_coverage"
    ]


# --- data_quality --------------------------------------------------------------------------


def test_data_quality_sub_rules(hand_db):
    df = run_query(hand_db, "warning_data_quality", year=YEAR, month=7)
    sub = dict(zip(df["project_code"], df["sub_rules"], strict=True))
    assert sub["P004"] == "no_targets"
    assert sub["P009"] == "no_targets,not_reported"  # last report in May
    assert sub["P001"] == "no_cost_indicator,points_not_90"  # 20 + 10 points
    assert sub["P003"] == "points_not_90"  # has 成本指标; 10 + 10 points (不适用 left out)


def test_data_quality_spending_on_a_zero_budget_and_unreported_indicator():
    conn = base_db(budget="0")
    add_spending(conn, 7, "100")
    # nothing up to July: August's value is later (a June one would stand at July,
    # docs/figures.md#settled-quarterly)
    add_indicator(conn, "50", month=8)
    df = run_query(conn, "warning_data_quality", year=YEAR, month=7)
    assert df.iloc[0]["sub_rules"] == (
        "no_cost_indicator,points_not_90,indicator_unreported,spending_on_zero_budget"
    )


def test_every_rule_has_a_sentence_in_both_languages(hand_db):
    hand_db.execute(
        "insert into rectifications values ('P001', '资产台账不全', DATE '2025-05-01', null, null)"
    )
    flags = warning_flags(hand_db, YEAR, 7)
    assert {"rectification_overdue", "disclosure_gap", "data_quality"} <= set(flags["rule"])
    assert flags["message"].str.len().min() > 10
    assert flags["message_en"].str.len().min() > 10
    overdue = flags[flags.rule == "rectification_overdue"].iloc[0]
    assert "已逾期61天" in overdue["message"]  # due 5-31, as of 7-31


def test_public_scope_never_flags_a_sensitive_project(hand_db):
    flags = warning_flags(hand_db, YEAR, 7, Scope.public())
    assert "P007" not in set(flags["project_code"])
    assert not flags["is_sensitive"].any()
