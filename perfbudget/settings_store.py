"""Writes to the `thresholds` and `settings` tables: validated, all or nothing.

The warning rules, the league table and the self-evaluation read their limits from these
tables (perfbudget/rules.py holds the defaults). Every change is checked first — a red line
on the wrong side of its yellow line, a month outside 1–12, a negative weight — and refused
with a message in both languages; nothing is written then. No streamlit here: the settings
page calls these through perfbudget.data, which clears the caches afterwards.

Only an administrator may call these (the page checks the role: users.User.can("settings"));
every change is recorded in the audit log (settings_change, who, old → new) in its own
transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import duckdb

from perfbudget import audit, results, thresholds, users
from perfbudget.db import run_query, transaction
from perfbudget.rules import DEFAULT_SETTINGS, DEFAULT_THRESHOLDS

ThresholdKey = tuple[str, str]  # (rule_id, name)

SETTING_CHOICES: dict[str, tuple[str, ...]] = {
    "time_progress_basis": ("month", "day"),
    "lower_is_better_method": ("ratio", "linear"),
}

# The kinds and limits each threshold keeps are defined in its registry (perfbudget.thresholds).
_ORDERED = thresholds.ORDERED
WEIGHT_GROUPS = thresholds.WEIGHT_GROUPS


@dataclass(frozen=True)
class Problem:
    """One refused value, worded for the page in both languages."""

    rule_id: str
    name: str
    message_zh: str
    message_en: str


class SettingsRejected(ValueError):
    """Nothing was written: the problems say why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("; ".join(p.message_en for p in problems))


def _decimal(value: object) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _check_rights(conn: duckdb.DuckDBPyConnection, user: str) -> None:
    """A configured user (perfbudget.users) changes thresholds and settings only as an admin;
    any other name is the local admin's (the local mode)."""
    if users.refused(conn, user, "settings") is not None:
        raise SettingsRejected(
            [
                Problem(
                    "settings",
                    "",
                    f"用户 {user} 无权修改阈值和设置",
                    f"the user {user} may not change thresholds or settings",
                )
            ]
        )


def read_thresholds(conn: duckdb.DuckDBPyConnection) -> dict[ThresholdKey, Decimal]:
    rows = run_query(conn, "rule_thresholds")
    return {(r.rule_id, r.name): Decimal(r.value) for r in rows.itertuples()}


def validate_thresholds(values: Mapping[ThresholdKey, object]) -> list[Problem]:
    """The problems of a complete set of thresholds (the stored ones with the changes applied).
    An empty list means it may be saved."""
    problems: list[Problem] = []
    numbers: dict[ThresholdKey, Decimal] = {}
    for key, raw in values.items():
        number = _decimal(raw)
        if number is None:
            problems.append(
                Problem(
                    *key,
                    f"{key[0]}.{key[1]}：不是数字（{raw!r}）",
                    f"{key[0]}.{key[1]}: not a number ({raw!r})",
                )
            )
        else:
            numbers[key] = number
    for key, number in numbers.items():
        rule, name = key
        label = f"{rule}.{name}"
        spec = thresholds.BY_KEY.get(key)
        if spec is None:  # not in the registry: only "a number, not negative" is known
            spec = thresholds.Threshold(rule, name, Decimal(0), "ratio", "", label, label)
        low, high = spec.low, spec.high
        if spec.kind == "integer":
            if (
                number != number.to_integral_value()
                or (low is not None and number < low)
                or (high is not None and number > high)
            ):
                problems.append(
                    Problem(
                        rule,
                        name,
                        f"{label}：须为整数（{spec.span()}），不能是{number.normalize()}",
                        f"{label}: must be a whole number ({spec.span()}), not {number.normalize()}",
                    )
                )
        elif spec.kind == "fraction" and not (0 <= number <= 1):
            problems.append(
                Problem(
                    rule,
                    name,
                    f"{label}：须在0到1之间（比例），不能是{number.normalize()}",
                    f"{label}: must lie between 0 and 1 (a share), not {number.normalize()}",
                )
            )
        elif spec.kind == "pp" and high is not None and number > high:
            problems.append(
                Problem(
                    rule,
                    name,
                    f"{label}：进度差红线须 ≤ {high}（落后为负）",
                    f"{label}: the gap red line must be ≤ {high} (behind is negative)",
                )
            )
        elif low is not None and number < low:
            problems.append(
                Problem(
                    rule,
                    name,
                    f"{label}：不能为负数" if low == 0 else f"{label}：须 ≥ {low}",
                    f"{label}: cannot be negative" if low == 0 else f"{label}: must be ≥ {low}",
                )
            )
        elif high is not None and number > high:
            problems.append(
                Problem(rule, name, f"{label}：不能超过{high}", f"{label}: cannot exceed {high}")
            )
    for lower, upper in _ORDERED:
        if lower in numbers and upper in numbers and not numbers[lower] < numbers[upper]:
            problems.append(
                Problem(
                    *lower,
                    f"{lower[0]}：{lower[1]}（{numbers[lower].normalize()}）须小于{upper[1]}（{numbers[upper].normalize()}）",
                    f"{lower[0]}: {lower[1]} ({numbers[lower].normalize()}) must be below {upper[1]} ({numbers[upper].normalize()})",
                )
            )
    for rule, names in WEIGHT_GROUPS.items():
        weights = [numbers.get((rule, n)) for n in names]
        given = [w for w in weights if w is not None]
        if len(given) == len(weights) and sum(given, Decimal(0)) <= 0:
            problems.append(
                Problem(
                    rule, names[0], f"{rule}：权重不能全为0", f"{rule}: the weights cannot all be 0"
                )
            )
    return problems


def save_thresholds(
    conn: duckdb.DuckDBPyConnection,
    changes: Mapping[ThresholdKey, object],
    *,
    user: str = "local",
    origin: str = "",
) -> int:
    """Write the changed thresholds, after checking the whole set they make; returns how many
    values changed. Raises SettingsRejected (nothing written) on any problem or unknown key,
    or for a configured user who is not an admin."""
    _check_rights(conn, user)
    stored = read_thresholds(conn)
    unknown = [k for k in changes if k not in stored]
    if unknown:
        raise SettingsRejected(
            [
                Problem(r, n, f"没有这个阈值：{r}.{n}", f"no such threshold: {r}.{n}")
                for r, n in unknown
            ]
        )
    merged = {**stored, **changes}
    problems = validate_thresholds(merged)
    if problems:
        raise SettingsRejected(problems)
    changed = {k: _decimal(v) for k, v in changes.items() if _decimal(v) != stored[k]}
    with transaction(conn):
        for (rule, name), value in changed.items():
            conn.execute(
                "update thresholds set value = ? where rule_id = ? and name = ?",
                [value, rule, name],
            )
        if any(rule != "import" for rule, _ in changed):
            # a rule's threshold: every stored flag may change (the import limits judge files)
            results.invalidate(conn)
        if changed:
            detail = "; ".join(
                f"threshold {rule}.{name}: {stored[(rule, name)]} → {value}"
                for (rule, name), value in changed.items()
            )
            audit.record(
                conn, user=user, action=audit.SETTINGS_CHANGE, detail=detail, origin=origin
            )
    return len(changed)


def read_settings(conn: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = run_query(conn, "app_settings")
    return dict(zip(rows["key"], rows["value"], strict=True))


def save_settings(
    conn: duckdb.DuckDBPyConnection,
    changes: Mapping[str, str],
    *,
    user: str = "local",
    origin: str = "",
) -> int:
    """Write settings whose values are among the allowed choices; returns how many changed."""
    _check_rights(conn, user)
    problems = []
    for key, value in changes.items():
        choices = SETTING_CHOICES.get(key)
        if choices is None:
            problems.append(
                Problem("settings", key, f"没有这个设置：{key}", f"no such setting: {key}")
            )
        elif value not in choices:
            problems.append(
                Problem(
                    "settings",
                    key,
                    f"{key}：须为{' / '.join(choices)}之一，不能是{value!r}",
                    f"{key}: must be one of {', '.join(choices)}, not {value!r}",
                )
            )
    if problems:
        raise SettingsRejected(problems)
    stored = read_settings(conn)
    changed = {k: v for k, v in changes.items() if stored.get(k) != v}
    with transaction(conn):
        for key, value in changed.items():
            conn.execute("insert or replace into settings (key, value) values (?, ?)", [key, value])
        if changed:
            results.invalidate(conn)
            detail = "; ".join(
                f"setting {key}: {stored.get(key)} → {value}" for key, value in changed.items()
            )
            audit.record(
                conn, user=user, action=audit.SETTINGS_CHANGE, detail=detail, origin=origin
            )
    return len(changed)


def reset_defaults(
    conn: duckdb.DuckDBPyConnection, *, user: str = "local", origin: str = ""
) -> None:
    """Every threshold and setting back to perfbudget.rules' defaults (descriptions too)."""
    _check_rights(conn, user)
    with transaction(conn):
        for rule, name, value, description in DEFAULT_THRESHOLDS:
            conn.execute(
                "insert or replace into thresholds (rule_id, name, value, description) values (?, ?, ?, ?)",
                [rule, name, value, description],
            )
        for key, text in DEFAULT_SETTINGS:
            conn.execute("insert or replace into settings (key, value) values (?, ?)", [key, text])
        results.invalidate(conn)
        audit.record(
            conn,
            user=user,
            action=audit.SETTINGS_CHANGE,
            detail="every threshold and setting reset to the defaults",
            origin=origin,
        )
