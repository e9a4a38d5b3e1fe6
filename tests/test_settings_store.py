"""Thresholds and settings are written only when the whole set stays coherent; a refusal
writes nothing; reset brings back perfbudget.rules' defaults."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfbudget import settings_store as store
from perfbudget.db import run_query
from perfbudget.rules import DEFAULT_THRESHOLDS


def value(conn, rule, name):
    return store.read_thresholds(conn)[(rule, name)]


def test_a_valid_change_is_written_and_counted(empty_db):
    changed = store.save_thresholds(
        empty_db,
        {
            ("slow_spending", "pace_yellow_below"): 0.85,  # a float from a number input
            ("slow_spending", "pace_red_below"): Decimal("0.6"),  # unchanged: not counted
        },
    )
    assert changed == 1
    assert value(empty_db, "slow_spending", "pace_yellow_below") == Decimal("0.85")


def test_the_changed_threshold_reaches_the_rule_queries(hand_db):
    # P001's pace is 0.8 exactly: not slow at the default yellow line, yellow at 0.85
    store.save_thresholds(hand_db, {("slow_spending", "pace_yellow_below"): "0.85"})
    slow = run_query(hand_db, "warning_slow_spending", year=2025, month=7)
    assert "P001" in set(slow["project_code"])


@pytest.mark.parametrize(
    "changes, fragment",
    [
        ({("slow_spending", "pace_red_below"): 0.9}, "pace_red_below"),  # red above yellow
        ({("indicator_behind", "blue_at"): 0.7}, "yellow_below"),  # blue under yellow
        ({("large_balance", "red_at"): 0.05}, "yellow_at"),  # 'at' rules: yellow < red
        ({("general", "first_warning_month"): 13}, "1–12"),
        ({("general", "first_warning_month"): 2.5}, "whole number"),
        ({("disclosure_gap", "min_coverage"): 1.5}, "between 0 and 1"),
        ({("over_budget", "yellow_above"): -1}, "negative"),
        ({("slow_spending", "large_gap_red_pp"): 5}, "≤ 0"),
        ({("selfeval", "grade_excellent_at"): 120}, "100"),
        ({("selfeval", "grade_good_at"): 95}, "grade_good_at"),
        ({("cost_above_reference", "red_above"): "abc"}, "not a number"),
    ],
)
def test_incoherent_values_are_refused_and_nothing_is_written(empty_db, changes, fragment):
    before = store.read_thresholds(empty_db)
    with pytest.raises(store.SettingsRejected) as refused:
        store.save_thresholds(empty_db, {**changes, ("rectification_overdue", "due_days"): 20})
    assert any(fragment in p.message_en for p in refused.value.problems), refused.value.problems
    assert all(p.message_zh for p in refused.value.problems)
    assert store.read_thresholds(empty_db) == before  # the valid due_days change did not land


def test_league_weights_cannot_all_be_zero(empty_db):
    names = store.WEIGHT_GROUPS["league"]
    with pytest.raises(store.SettingsRejected, match="all be 0"):
        store.save_thresholds(empty_db, {("league", n): 0 for n in names})
    store.save_thresholds(
        empty_db, {("league", n): (1 if n == "weight_execution" else 0) for n in names}
    )
    assert value(empty_db, "league", "weight_execution") == 1


def test_an_unknown_threshold_is_refused(empty_db):
    with pytest.raises(store.SettingsRejected, match="no such threshold"):
        store.save_thresholds(empty_db, {("slow_spending", "colour"): 1})


def test_settings_take_only_their_choices(empty_db):
    assert store.save_settings(empty_db, {"time_progress_basis": "day"}) == 1
    assert store.read_settings(empty_db)["time_progress_basis"] == "day"
    with pytest.raises(store.SettingsRejected, match="must be one of"):
        store.save_settings(
            empty_db, {"lower_is_better_method": "log", "time_progress_basis": "month"}
        )
    assert store.read_settings(empty_db)["time_progress_basis"] == "day"
    with pytest.raises(store.SettingsRejected, match="no such setting"):
        store.save_settings(empty_db, {"colour": "red"})


def test_reset_restores_every_default(empty_db):
    store.save_thresholds(empty_db, {("large_balance", "red_at"): 0.3})
    store.save_settings(empty_db, {"lower_is_better_method": "linear"})
    empty_db.execute("update thresholds set description = 'edited'")
    store.reset_defaults(empty_db)
    stored = store.read_thresholds(empty_db)
    assert stored == {(r, n): v for r, n, v, _ in DEFAULT_THRESHOLDS}
    assert store.read_settings(empty_db) == {
        "time_progress_basis": "month",
        "lower_is_better_method": "ratio",
    }
    descriptions = run_query(empty_db, "rule_thresholds")
    assert "edited" not in set(descriptions["description"])


def test_the_defaults_themselves_are_valid():
    assert store.validate_thresholds({(r, n): v for r, n, v, _ in DEFAULT_THRESHOLDS}) == []


def test_a_threshold_default_is_read_from_the_defaults():
    # what the rectification and forecast pages show while a database holds no stored value
    from perfbudget import rules

    assert rules.default_threshold("rectification_overdue", "due_days") == Decimal("30")
    assert rules.default_threshold("forecast", "min_curve_projects") == Decimal("3")
    assert rules.default_threshold("large_balance", "red_at") == Decimal("0.20")
    with pytest.raises(KeyError):
        rules.default_threshold("forecast", "no_such_threshold")
