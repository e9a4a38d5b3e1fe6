"""A flag's persistence over months ("since when") and a leader's follow-up notes."""

from __future__ import annotations

import pandas as pd
import pytest

from perfbudget import flags
from perfbudget.db import run_query


def frame(*keys):
    return pd.DataFrame(
        [{"project_code": p, "department_code": "D1", "rule": r} for p, r in keys],
        columns=["project_code", "department_code", "rule"],
    )


def test_since_month_is_the_start_of_the_unbroken_run():
    by_month = {
        3: frame(("A", "slow_spending"), ("B", "slow_spending")),
        4: frame(("A", "slow_spending")),
        5: frame(("A", "slow_spending"), ("B", "slow_spending")),
        6: frame(("A", "slow_spending"), ("B", "slow_spending"), ("A", "over_budget")),
    }
    out = flags.since_months(by_month, 6)
    since = {(r.project_code, r.rule): (r.since_month, r.months_flagged) for r in out.itertuples()}
    assert since == {
        ("A", "slow_spending"): (3, 4),
        ("B", "slow_spending"): (5, 2),  # the run broke in April
        ("A", "over_budget"): (6, 1),
    }


def test_since_on_the_hand_fixture(hand_db):
    by_month = {m: flags.warning_flags(hand_db, 2025, m, rules=["slow_spending"]) for m in (6, 7)}
    out = flags.since_months(by_month, 7)
    since = dict(zip(out["project_code"], out["since_month"], strict=True))
    # P002 had 100,000 of 1,000,000 by June (pace 0.2) and is slow in July too
    assert since["P002"] == 6


def test_followups_keep_history_and_the_latest_wins(hand_db):
    for status, note in (("已关注", "已约谈单位"), ("已处理", "预算已调整")):
        flags.record_followup(
            hand_db,
            year=2025,
            project_code="P003",
            department_code="D01",
            rule_id="slow_spending",
            as_of_month=7,
            status=status,
            note=note,
            user="局长",
        )
    df = run_query(hand_db, "flag_followups", year=2025)
    assert len(df) == 2
    latest = df[df.is_latest].iloc[0]
    assert (latest["status"], latest["note"], latest["user_name"]) == (
        "已处理",
        "预算已调整",
        "局长",
    )


def test_followup_refuses_an_unknown_status(hand_db):
    with pytest.raises(ValueError):
        flags.record_followup(
            hand_db,
            year=2025,
            project_code="P003",
            department_code="D01",
            rule_id="slow_spending",
            as_of_month=7,
            status="忽略",
            note=None,
            user="x",
        )


def test_persistence_reads_back_only_what_is_still_running_and_matches_a_full_scan(hand_db):
    full = {m: flags.warning_flags(hand_db, 2025, m) for m in range(1, 8)}
    expected = flags.since_months(full, 7)
    asked = []

    def keys_at(month, rules):
        asked.append((month, rules))
        return flags.flag_keys(hand_db, 2025, month, None, rules)

    got = flags.persistence(full[7], 7, keys_at)
    key = ["project_code", "department_code", "rule"]
    merged = expected.merge(got, on=key, suffixes=("_full", "_fast"))
    assert len(merged) == len(expected) == len(got)
    assert (merged["since_month_full"] == merged["since_month_fast"]).all()
    # annual rules (disclosure) are never re-queried month by month
    assert all("disclosure_gap" not in rules for _, rules in asked)


def test_with_followup_joins_since_and_the_latest_status_by_project_department_and_rule():
    shown = pd.DataFrame(
        {
            "project_code": ["A", "A", None],
            "department_code": ["D1", "D1", "D2"],
            "rule": ["slow_spending", "over_budget", "disclosure_gap"],
            "severity": ["red"] * 3,
        }
    )
    persistence = pd.DataFrame(
        {
            "project_code": ["A", "B"],
            "department_code": ["D1", "D1"],
            "rule": ["slow_spending", "slow_spending"],
            "since_month": [3, 5],
            "months_flagged": [5, 3],
        }
    )
    followups = pd.DataFrame(
        {
            # a department's own flag has project_code '' in flag_followups
            "project_code": ["A", "A", "", "A"],
            "department_code": ["D1", "D1", "D2", "D9"],
            "rule_id": ["slow_spending", "slow_spending", "disclosure_gap", "slow_spending"],
            "status": ["已处理", "已关注", "已关注", "已处理"],
            "is_latest": [True, False, True, True],
        }
    )
    out = flags.with_followup(shown, persistence, followups)
    assert list(out["rule"]) == list(shown["rule"])  # same rows, same order
    assert out["since_month"].iloc[0] == 3 and out["months_flagged"].iloc[0] == 5
    assert out["since_month"].iloc[1:].isna().all()  # no persistence row for them
    # the latest follow-up, matched on all three: D9's note is another flag's
    assert out["followup_status"].iloc[0] == "已处理"
    assert pd.isna(out["followup_status"].iloc[1])
    assert out["followup_status"].iloc[2] == "已关注"
    history = flags.followups_of(followups, shown.iloc[0])
    assert list(history["status"]) == ["已处理", "已关注"]
    assert list(flags.followups_of(followups, shown.iloc[2])["status"]) == ["已关注"]


def test_with_followup_of_no_persistence_and_no_followups_adds_empty_columns():
    shown = pd.DataFrame(
        {"project_code": ["A"], "department_code": ["D1"], "rule": ["slow_spending"]}
    )
    out = flags.with_followup(shown, pd.DataFrame(), pd.DataFrame())
    assert out[["since_month", "months_flagged", "followup_status"]].isna().all().all()
