"""Defaults of the warning rules and settings (docs/figures.md#warning-rules); each threshold is
defined in perfbudget.thresholds (the registry), this module gives its defaults as rows.

They are seeded into the database's `thresholds` table, which is what the queries read, so a
bureau can change them and every flag reports the value it was judged against."""

from __future__ import annotations

from decimal import Decimal

from perfbudget import vocab
from perfbudget.thresholds import THRESHOLDS

# (rule_id, name, value, description): the threshold registry's defaults and Chinese labels
DEFAULT_THRESHOLDS: tuple[tuple[str, str, Decimal, str], ...] = tuple(
    (t.rule_id, t.name, t.default, t.label_zh) for t in THRESHOLDS
)

DEFAULT_SETTINGS: tuple[tuple[str, str], ...] = (
    ("time_progress_basis", "month"),  # month: m/12; day: days elapsed ÷ days in year
    ("lower_is_better_method", "ratio"),  # ratio: target ÷ actual; linear: 0 at 2 × target
)

SEVERITY_ORDER = vocab.SEVERITY_RANK  # red 3, yellow 2, blue 1 (perfbudget.vocab)


def default_threshold(rule_id: str, name: str) -> Decimal:
    """One threshold's default (DEFAULT_THRESHOLDS): what a page shows while the database
    has no stored value for it. KeyError for a threshold that does not exist."""
    for rule, key, value, _ in DEFAULT_THRESHOLDS:
        if (rule, key) == (rule_id, name):
            return value
    raise KeyError(f"no such threshold: {rule_id}.{name}")
