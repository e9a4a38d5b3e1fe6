"""Badges and st.metric deltas: the small coloured marks of the pages' tiles."""

from __future__ import annotations

import streamlit as st

from perfbudget import formatting as fmt
from perfbudget import palette
from perfbudget.ui.markdown import md_text
from perfbudget.ui.session import tr
from perfbudget.ui.text import light_label


def badge(light: object, text: str | None = None) -> None:
    """A coloured badge; its text is shown as text (a department or budget type from data
    included), never as Markdown."""
    code = light if isinstance(light, str) and light in palette.LIGHT_BADGE else "grey"
    st.badge(md_text(text or light_label(code), badge=True), color=palette.LIGHT_BADGE[code])  # type: ignore[arg-type]


def signed_delta(text: str, value: object, *, colour: str = "gray") -> dict[str, str]:
    """st.metric's delta arguments for a signed difference whose text does not begin with its
    sign (偏离 -7.4%, 分差 -0.01): the arrow follows the value (↓ below zero, ↑ above, none
    at zero), in the colour given (grey unless the meaning says otherwise)."""
    number = fmt.to_decimal(value)
    arrow = "off" if number is None or number == 0 else ("down" if number < 0 else "up")
    return {"delta": text, "delta_arrow": arrow, "delta_color": colour}


def cost_deviation_delta(deviation: object, severity: object) -> dict[str, str]:
    """The delta of a unit cost against its reference (cost standard or class median): below
    the reference is good (green ↓); above it, the colour of the project's
    cost_above_reference flag (orange for yellow, red for red, by the rule's thresholds), grey
    while within them (↑)."""
    number = fmt.to_decimal(deviation)
    if number is None or number <= 0:
        colour = "gray" if number is None or number == 0 else "green"
    else:
        colour = palette.SEVERITY_DELTA.get(str(severity), "gray")
    return signed_delta(tr("cost_deviation", d=fmt.pct(deviation)), deviation, colour=colour)


def count_tile(target, label: str, n: object, unit_key: str = "unit_projects", **kwargs) -> None:
    """An st.metric of a count on `target` (st or a column): the unit in the label
    (预计结余较多（个项目）/ Large balance forecast (projects)) and the number alone, grouped
    (1,342), as the value — "1342 projects" did not fit a quarter of a 1280-wide screen."""
    count = fmt.to_decimal(n)
    value = fmt.EMPTY if count is None else f"{int(count):,}"
    target.metric(tr("with_unit", label=label, unit=tr(unit_key)), value, **kwargs)
