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
        flags.record_followup(hand_db, year=2025, project_code="P003", department_code="D01",
                              rule_id="slow_spending", as_of_month=7, status=status, note=note,
                              user="局长")
    df = run_query(hand_db, "flag_followups", year=2025)
    assert len(df) == 2
    latest = df[df.is_latest].iloc[0]
    assert (latest["status"], latest["note"], latest["user_name"]) == ("已处理", "预算已调整", "局长")


def test_followup_refuses_an_unknown_status(hand_db):
    with pytest.raises(ValueError):
        flags.record_followup(hand_db, year=2025, project_code="P003", department_code="D01",
                              rule_id="slow_spending", as_of_month=7, status="忽略", note=None,
                              user="x")


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
