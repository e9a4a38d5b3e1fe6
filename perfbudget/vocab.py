"""The codes PerfBudget's figures speak in, each in one place: lights, severities, quadrants
and grades — which exist, in which order they are drawn and ranked, and the perfbudget.i18n
key that names each in Chinese and English. Colours are in perfbudget.palette.

The codes are what the queries return (queries/*.sql), so they never change with the language;
the labels come from i18n only."""

from __future__ import annotations

# A light: a project's, department's or indicator's traffic light. Drawn (legends, stacks) in
# this order; grey is "nothing to judge" (未报送 / not reported).
LIGHTS = ("red", "yellow", "green", "blue", "grey")
# Worst first for "the worst light of": grey (nothing to judge) ranks below green.
LIGHT_RANK = {"red": 3, "yellow": 2, "green": 1, "grey": 0}

# A flag's severity (queries' `severity`): blue is "ahead by too much, check it".
SEVERITIES = ("red", "yellow", "blue")
SEVERITY_RANK = {"red": 3, "yellow": 2, "blue": 1}

# Dual monitoring (双监控): where a project's spending pace and output progress put it
# (queries/project_dual_monitoring.sql). The order the page's tiles and filter show them.
QUADRANTS = ("spending_ahead", "both_behind", "outputs_ahead", "on_track")
# The severity a quadrant stands for in a workbook's row fill (on_track: none).
QUADRANT_SEVERITY = {"both_behind": "red", "spending_ahead": "yellow", "outputs_ahead": "yellow"}

# Self-evaluation grades, best first: the stored values are the Chinese grades themselves.
GRADES = ("优", "良", "中", "差")
GRADE_KEYS = {"优": "excellent", "良": "good", "中": "fair", "差": "poor"}


def light_key(light: object) -> str:
    """The i18n key of a light; anything else (missing, unknown) reads as grey."""
    return f"light_{light if isinstance(light, str) and light in LIGHTS else 'grey'}"


def severity_key(severity: str) -> str:
    return f"severity_{severity}"


def quadrant_key(quadrant: str) -> str:
    return f"quadrant_{quadrant}"


def grade_key(grade: str) -> str:
    """The i18n key of a grade's name in words (grade_excellent: 优 / Excellent)."""
    return f"grade_{GRADE_KEYS[grade]}"
