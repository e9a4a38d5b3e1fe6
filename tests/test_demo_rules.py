"""On the synthetic demo district every warning rule fires somewhere, and every flag it raises
is one its rule allows: the figure on the flag is on the flagged side of the threshold on it."""

from __future__ import annotations

import pytest

from perfbudget import db
from perfbudget.demo import build_demo
from perfbudget.flags import RULES, warning_flags
from perfbudget.scope import Scope


@pytest.fixture(scope="module")
def demo_flags():
    conn = db.connect()
    build_demo(conn)
    year = int(conn.execute("select max(year) from projects").fetchall()[0][0])
    flags = {month: warning_flags(conn, year, month) for month in (2, 8, 12)}
    public = warning_flags(conn, year, 12, Scope.public())
    conn.close()
    return flags, public


def test_every_rule_fires_somewhere_in_the_demo(demo_flags):
    flags, _ = demo_flags
    fired = set(flags[8]["rule"]) | set(flags[12]["rule"])
    assert fired == {rule.rule_id for rule in RULES}


def test_pace_rules_wait_for_march(demo_flags):
    flags, _ = demo_flags
    assert not {"slow_spending", "spend_output_mismatch", "indicator_behind"} & set(
        flags[2]["rule"]
    )


def test_public_scope_never_shows_a_sensitive_project(demo_flags):
    flags, public = demo_flags
    assert flags[12]["is_sensitive"].any()  # the demo has sensitive projects…
    assert not public["is_sensitive"].any()  # …and the public view leaves them all out


# (rule, severity) → how the flag's value must stand against its threshold
ALLOWED = {
    ("over_budget", "yellow"): lambda v, t: v > t,
    ("over_budget", "red"): lambda v, t: v > t,
    ("large_balance", "yellow"): lambda v, t: v >= t,
    ("large_balance", "red"): lambda v, t: v >= t,
    ("cost_above_reference", "yellow"): lambda v, t: v > t,
    ("cost_above_reference", "red"): lambda v, t: v > t,
    ("spend_output_mismatch", "yellow"): lambda v, t: abs(v) >= t,
    ("spend_output_mismatch", "red"): lambda v, t: abs(v) >= t,
    ("indicator_behind", "yellow"): lambda v, t: v < t,
    ("indicator_behind", "red"): lambda v, t: v < t,
    ("indicator_behind", "blue"): lambda v, t: v >= t,
    ("target_not_met", "yellow"): lambda v, t: v < t,
    ("target_not_met", "red"): lambda v, t: v < t,
    ("target_not_met", "blue"): lambda v, t: v >= t,
    ("rectification_overdue", "yellow"): lambda v, t: 1 <= v <= 30,
    ("rectification_overdue", "red"): lambda v, t: v > t,
}


@pytest.mark.parametrize("month", [8, 12])
def test_every_flag_is_on_the_flagged_side_of_its_threshold(demo_flags, month):
    flags, _ = demo_flags
    wrong = []
    for row in flags[month].itertuples():
        check = ALLOWED.get((row.rule, row.severity))
        if row.rule == "slow_spending":
            ok = (row.pace_severity in ("red", "yellow") and row.pace < row.pace_threshold) or (
                row.gap_severity == "red" and row.gap_pp <= row.large_gap_red_pp
            )
        elif check is None:
            ok = row.rule in ("disclosure_gap", "data_quality") and row.severity == "red"
        else:
            ok = check(row.value, row.threshold)
        if not ok:
            wrong.append((row.project_code, row.rule, row.severity, row.value, row.threshold))
    assert not wrong, wrong[:5]
