"""Each warning rule at and around its thresholds (docs/figures.md#warning-rules). Every case
is one project whose figures are written so the boundary is plain: budget 1,200,000 元 at
June (time progress 6/12 = 0.5), so spending S gives pace R = S ÷ 600,000."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfbudget import db
from perfbudget.db import run_query
from perfbudget.flags import warning_flags

YEAR = 2025


def one_project(spent_by_month: dict[int, str], budget: str = "1200000") -> object:
    conn = db.connect()
    conn.execute("insert into departments values ('D1', '测试局', '测试区', false, null)")
    conn.execute(
        "insert into projects (year, project_code, project_name, department_code,"
        " adjusted_budget_yuan) values (?, 'X1', '测试项目', 'D1', ?)",
        [YEAR, Decimal(budget)],
    )
    for month, spent in spent_by_month.items():
        conn.execute(
            "insert into spending (year, month, project_code, cumulative_yuan)"
            " values (?, ?, 'X1', ?)",
            [YEAR, month, Decimal(spent)],
        )
    return conn


def severity(conn, query: str, month: int = 6) -> str | None:
    df = run_query(conn, query, year=YEAR, month=month)
    return None if df.empty else df.iloc[0]["severity"]


@pytest.mark.parametrize(
    ("spent", "expected"),
    [
        ("480000.00", None),  # R = 0.8 exactly: not < 0.8
        ("479999.99", "yellow"),  # just under 0.8
        ("360000.00", "yellow"),  # R = 0.6 exactly: 0.6 ≤ R < 0.8
        ("359999.99", "red"),  # just under 0.6
    ],
)
def test_slow_spending_pace_bands(spent, expected):
    assert severity(one_project({6: spent}), "warning_slow_spending") == expected


def test_slow_spending_waits_for_the_first_warning_month():
    conn = one_project({2: "0", 3: "0"})
    assert severity(conn, "warning_slow_spending", month=2) is None
    assert severity(conn, "warning_slow_spending", month=3) == "red"


@pytest.mark.parametrize(
    ("budget", "spent", "expected_severity", "expected_sub_rules"),
    [
        # 1000万元 exactly, June: gap = (3,000,000 ÷ 10,000,000 − 0.5) × 100 = −20 → red;
        # pace 0.6 is yellow on its own
        ("10000000", "3000000", "red", "pace,large_gap"),
        # one 元 less than 1000万元 is not a large project: pace 0.6 only → yellow
        ("9999999", "2999999.70", "yellow", "pace"),
        # gap −19.9 pp: the large-project rule does not fire, pace 0.602 → yellow
        ("10000000", "3010000", "yellow", "pace"),
    ],
)
def test_slow_spending_large_project_gap_rule(budget, spent, expected_severity, expected_sub_rules):
    conn = one_project({6: spent}, budget=budget)
    row = run_query(conn, "warning_slow_spending", year=YEAR, month=6).iloc[0]
    assert row["severity"] == expected_severity
    assert row["sub_rules"] == expected_sub_rules


@pytest.mark.parametrize(
    ("spent", "expected"),
    [
        ("1200000.00", None),  # rate 1.0 exactly
        ("1200000.01", "yellow"),  # just over 1.0
        ("1320000.00", "yellow"),  # 1.1 exactly: 1.0 < rate ≤ 1.1
        ("1320000.01", "red"),  # just over 1.1
    ],
)
def test_over_budget_bands(spent, expected):
    assert severity(one_project({6: spent}), "warning_over_budget") == expected


def add_output_indicator(conn, actual: str, target: str = "100", points: str = "10") -> None:
    """A non-cumulative 质量 indicator, so its progress v is actual ÷ target."""
    conn.execute(
        "insert into indicators (year, project_code, level1, level2, indicator_name, operator,"
        " target_value, target_text, unit, points) values (?, 'X1', '产出指标', '质量指标',"
        " '合格率', '≥', ?, ?, '%', ?)",
        [YEAR, Decimal(target), f"≥{target}%", Decimal(points)],
    )
    conn.execute(
        "insert into indicator_actuals (year, project_code, level1, level2, indicator_name,"
        " month, actual_value) values (?, 'X1', '产出指标', '质量指标', '合格率', 6, ?)",
        [YEAR, Decimal(actual)],
    )


@pytest.mark.parametrize(
    ("spent", "actual", "expected"),
    [
        # R = 0.9 (540,000); output progress 0.7 → d = 0.2 exactly → yellow
        ("540000", "70", "yellow"),
        # R = 0.9; output 0.71 → d = 0.19 → nothing
        ("540000", "71", None),
        # R = 0.9; output 0.55 → d = 0.35 exactly → red
        ("540000", "55", "red"),
        # R = 0.5 (300,000), output 0.85 → d = −0.35 → red, outputs ahead
        ("300000", "85", "red"),
    ],
)
def test_spend_output_mismatch_bands(spent, actual, expected):
    conn = one_project({6: spent})
    add_output_indicator(conn, actual)
    assert severity(conn, "warning_spend_output_mismatch") == expected


@pytest.mark.parametrize(
    ("actual", "expected"),
    [
        ("80", None),  # v = 0.8: green
        ("79.99", "yellow"),
        ("60", "yellow"),  # v = 0.6 exactly: yellow
        ("59.99", "red"),
        ("119.99", None),
        ("120", "blue"),  # v = 1.2: far ahead, a credibility check
    ],
)
def test_indicator_behind_bands(actual, expected):
    conn = one_project({6: "600000"})
    add_output_indicator(conn, actual)
    assert severity(conn, "warning_indicator_behind") == expected


def test_thresholds_are_read_from_the_database():
    conn = one_project({6: "420000"})  # R = 0.7: yellow by default
    assert severity(conn, "warning_slow_spending") == "yellow"
    conn.execute(
        "update thresholds set value = 0.75 where rule_id = 'slow_spending'"
        " and name = 'pace_red_below'"
    )
    assert severity(conn, "warning_slow_spending") == "red"
    row = run_query(conn, "warning_slow_spending", year=YEAR, month=6).iloc[0]
    assert row["threshold"] == 0.75


def test_flag_sentence_names_the_figures_in_chinese(hand_db):
    flags = warning_flags(hand_db, YEAR, 7)
    p003 = flags[(flags.project_code == "P003") & (flags.rule == "slow_spending")].iloc[0]
    # 7,000,000 ÷ 20,000,000 = 35.0%; time progress 58.3%; behind by 23.3 points
    assert "截至7月执行率35.0%，低于序时进度58.3%达23.3个百分点" in p003["message"]
    assert "大额项目" in p003["message"]
    over = flags[flags.rule == "over_budget"].set_index("project_code")
    assert "可能尚有预算调整未导入" in over.loc["P004", "message"]
    assert over.loc["P004", "severity"] == "red"
    assert "By month 7" in p003["message_en"]


CORE_RULES = ("slow_spending", "over_budget", "spend_output_mismatch", "indicator_behind")


def test_one_flag_per_project_and_rule_sorted_worst_first(hand_db):
    flags = warning_flags(hand_db, YEAR, 7, rules=CORE_RULES)
    assert not flags.duplicated(["project_code", "rule"]).any()
    ranks = flags["severity"].map({"red": 3, "yellow": 2, "blue": 1}).tolist()
    assert ranks == sorted(ranks, reverse=True)
    expected = {
        ("P002", "slow_spending"): "yellow",
        ("P003", "slow_spending"): "red",
        ("P007", "slow_spending"): "red",
        ("P004", "over_budget"): "red",
        ("P005", "over_budget"): "yellow",
        ("P002", "spend_output_mismatch"): "red",
        ("P003", "spend_output_mismatch"): "red",
        ("P008", "spend_output_mismatch"): "red",
        ("P001", "indicator_behind"): "yellow",
        ("P002", "indicator_behind"): "yellow",
        ("P008", "indicator_behind"): "red",
    }
    got = {(r.project_code, r.rule): r.severity for r in flags.itertuples()}
    assert got == expected
