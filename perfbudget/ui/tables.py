"""The pages' tables: data rows as (Styler, column_config) for st.dataframe in the chosen
language, light cells tinted, large tables paged on the server, heights without an inner
scrollbar."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
import streamlit as st

from perfbudget import formatting as fmt
from perfbudget import palette, vocab
from perfbudget.flags import PERFORMANCE_RULES
from perfbudget.flags import with_messages as worded
from perfbudget.ui.session import lang, tr
from perfbudget.ui.text import (
    cell_text,
    light_label,
    older_month,
    pct_value,
    round_value,
    rule_label,
    severity_label,
    wan_value,
)

# --- paging, tinting and sizing ---------------------------------------------------------

# pandas' styler.render.max_elements: st.dataframe refuses a Styler over more cells than this
# (a city-wide table of 50,000 projects has 400,000–600,000).
STYLER_MAX_CELLS = 262_144

# Rows a table sends to the browser at once. A city has 50,000 projects and tens of thousands
# of flags: the page slices (and sorts) on the server and the download gives every row.
# 100, not 500: pandas' Styler and Streamlit's marshalling of it cost per cell, and with 500
# rows they were most of a warm city page (py-spy on 预算执行: st.dataframe 17%, the Styler
# 23% of the samples); a hundred rows is a screenful or two, the pager the rest.
PAGE_ROWS = 100
# A filter offers at most this many choices; past it the user narrows another filter first.
MAX_CHOICES = 2_000


def paged(frame, key: str, sort_columns: dict[str, str] | None = None, rows: int = PAGE_ROWS):
    """One page of `frame` (at most `rows` rows) for a table, chosen under it with a page
    number and, when sort_columns ({column: label}) is given, sorted across every page by
    the chosen column first. A frame that fits on one page is returned as it is, with no
    controls. Returns the rows to show, with their index reset."""
    total = len(frame)
    if total <= rows:
        return frame
    pages = -(-total // rows)
    cols = st.columns([2.2, 1.2, 1.4, 3])
    if sort_columns:
        options = [None, *sort_columns]
        with cols[0]:
            by = st.selectbox(
                tr("page_sort"),
                options,
                key=f"{key}_sort",
                format_func=lambda c: tr("page_sort_default") if c is None else sort_columns[c],
            )
        with cols[1]:
            # only a chosen column has a direction
            descending = st.toggle(
                tr("page_descending"), value=True, key=f"{key}_descending", disabled=by is None
            )
        if by is not None:
            frame = frame.sort_values(
                by, ascending=not descending, na_position="last", kind="stable"
            )
    with cols[2]:
        page = int(
            st.number_input(
                tr("page_number", pages=pages),
                min_value=1,
                max_value=pages,
                value=1,
                step=1,
                key=f"{key}_page",
            )
        )
    start = (page - 1) * rows
    with cols[3]:
        st.caption(tr("page_rows", first=start + 1, last=min(start + rows, total), n=total))
    return frame.iloc[start : start + rows].reset_index(drop=True)


def paged_window(
    fetch, key: str, sort_columns: dict[str, str] | None = None, rows: int = PAGE_ROWS
):
    """paged() for a table too large to read whole: fetch(order, offset, limit) gives one
    page of rows sorted by order ((column, descending) or None for the query's own order)
    and how many rows there are in all (data.table_window). The same controls as paged(),
    the sorting and slicing done by the database. Returns (rows to show, total)."""
    state = st.session_state
    by = state.get(f"{key}_sort") if sort_columns else None
    descending = bool(state.get(f"{key}_descending", True))
    order = (by, descending) if by is not None else None
    page = int(state.get(f"{key}_page", 1))
    frame, total = fetch(order, (page - 1) * rows, rows)
    pages = max(-(-total // rows), 1)
    if page > pages:  # the filters left fewer pages than the one shown: the last page
        page = pages
        state[f"{key}_page"] = page
        frame, total = fetch(order, (page - 1) * rows, rows)
    if total <= rows:
        return frame, total
    cols = st.columns([2.2, 1.2, 1.4, 3])
    if sort_columns:
        options = [None, *sort_columns]
        with cols[0]:
            st.selectbox(
                tr("page_sort"),
                options,
                key=f"{key}_sort",
                format_func=lambda c: tr("page_sort_default") if c is None else sort_columns[c],
            )
        with cols[1]:
            st.toggle(
                tr("page_descending"), value=True, key=f"{key}_descending", disabled=by is None
            )
    with cols[2]:
        st.number_input(
            tr("page_number", pages=pages), min_value=1, max_value=pages, step=1, key=f"{key}_page"
        )
    start = (page - 1) * rows
    with cols[3]:
        st.caption(tr("page_rows", first=start + 1, last=min(start + rows, total), n=total))
    return frame, total


def table_columns(table) -> list[str]:
    """The columns of what style_lights gave: a Styler's frame, or the frame itself."""
    return list(getattr(table, "data", table).columns)


# Soft cell fills for a light column; the text stays dark enough to read on each.
LIGHT_CELL_STYLES = {
    code: f"background-color: {palette.LIGHT_FILL[code]}; color: {palette.LIGHT_INK[code]}"
    + ("" if code == "grey" else "; font-weight: 600")
    for code in vocab.LIGHTS
}


def style_lights(frame, columns: list[str], codes: dict[str, Iterable[object]] | None = None):
    """A Styler that tints each light cell in its colour. The cells hold labels (红灯 …);
    codes maps a column to the Series of light codes behind them (same index). A table too
    large for a Styler comes back as it is: its light cells still say 红灯/黄灯 in words."""
    if frame.size > STYLER_MAX_CELLS:
        return frame
    styler = frame.style
    for column in columns:
        code_series = (codes or {}).get(column)
        if code_series is None:
            continue
        css = [LIGHT_CELL_STYLES.get(c, "") if isinstance(c, str) else "" for c in code_series]
        styler = styler.apply(lambda _s, css=css: css, subset=[column], axis=0)
    return styler


def table_height(rows: int, max_rows: int = 20, row_height: int = 35) -> int | str:
    """A height that shows up to max_rows rows without an inner scrollbar (st.dataframe's
    'auto' stops at 10)."""
    if rows <= 10 and row_height == 35:
        return "auto"
    return row_height * min(rows, max_rows) + 35 + 3


# st.dataframe wraps text only in rows taller than 4rem: room for three lines of a sentence.
WRAPPING_ROW_HEIGHT = 72


# --- the tables of data rows ------------------------------------------------------------


def lights_for(lights, level: str, keys, column: str = "light", default: object = "grey"):
    """A column of data.scope_lights (the light codes by default) for the given keys at one
    level, in the keys' order; `default` where a key has none."""
    table = lights.loc[lights["level"] == level].set_index("key")[column]
    return pd.Series([table.get(k, default) for k in keys], dtype=object)


def execution_table(
    frame,
    id_columns: dict[str, str],
    light_codes,
    extra: dict[str, str] | None = None,
    with_time_progress: bool = False,
):
    """An execution DataFrame (district, department or project rows of perfbudget.data) as
    (Styler, column_config) for st.dataframe: money in 万元 with 2 decimals converted exactly
    from 元 and rounded half up, rates in percent, the gap in pp, the pace, the light. Time
    progress is one figure for every row of a month: a column only where asked."""
    out = pd.DataFrame({label: frame[column].to_numpy() for column, label in id_columns.items()})
    money = {"adjusted_budget_yuan": tr("col_budget_wan"), "spent_yuan": tr("col_spent_wan")}
    for column, label in money.items():
        out[label] = [wan_value(v) for v in frame[column]]
    out[tr("col_rate")] = [pct_value(v) for v in frame["execution_rate"]]
    if with_time_progress:
        out[tr("col_time_progress")] = [pct_value(v) for v in frame["time_progress"]]
    out[tr("col_gap_pp")] = [round_value(v, 1) for v in frame["gap_pp"]]
    out[tr("col_pace")] = [round_value(v, 2) for v in frame["pace"]]
    codes = pd.Series(list(light_codes), dtype=object)
    reported = frame["is_reported"].tolist() if "is_reported" in frame else [False] * len(frame)
    # grey on a project that did report means no pace at all (a zero budget): no label
    out[tr("col_light")] = [
        fmt.EMPTY if c == "grey" and r else light_label(c)
        for c, r in zip(codes, reported, strict=True)
    ]
    for column, label in (extra or {}).items():
        out[label] = frame[column].to_numpy()
    # headers short enough for ten columns at 1280 (the full names in the help)
    config = {
        tr("col_budget_wan"): st.column_config.NumberColumn(
            label=tr("col_budget_wan_short"), format="%,.2f", help=tr("col_budget_wan")
        ),
        tr("col_spent_wan"): st.column_config.NumberColumn(format="%,.2f"),
        tr("col_rate"): st.column_config.NumberColumn(
            label=tr("col_rate_short"), format="%.1f%%", help=tr("col_rate")
        ),
        tr("col_time_progress"): st.column_config.NumberColumn(
            label=tr("col_time_progress_short"), format="%.1f%%", help=tr("col_time_progress")
        ),
        tr("col_last_month"): st.column_config.Column(
            label=tr("col_last_month_short"), help=tr("col_last_month")
        ),
        tr("col_pace"): st.column_config.NumberColumn(format="%.2f", help=tr("pace_light_help")),
        tr("col_light"): st.column_config.TextColumn(width="small", help=tr("light_help")),
        tr("col_gap_pp"): st.column_config.NumberColumn(
            label=tr("col_gap_pp_short"), format="%+.1f", help=tr("kpi_gap_help")
        ),
    }
    styler = style_lights(out, [tr("col_light")], {tr("col_light"): codes})
    return styler, config


def outputs_as_of_column(frame, month: int | None) -> dict[str, list[str]]:
    """The 产出数据截至 column of a table of projects, only when some project's output progress
    rests on a month older than the as-of month."""
    if month is None or "oldest_actual_month" not in frame:
        return {}
    older = [older_month(v, month) for v in frame["oldest_actual_month"]]
    if all(m is None for m in older):
        return {}
    return {
        tr("col_outputs_as_of"): [fmt.EMPTY if m is None else tr("month_n", m=m) for m in older]
    }


def scorecard_table(cards, month: int | None = None):
    """data.project_target_scorecard rows as (Styler, column_config) for st.dataframe; with the
    as-of month, a 产出数据截至 column where output progress rests on older actuals."""
    as_of = outputs_as_of_column(cards, month)
    out = pd.DataFrame(
        {
            tr("col_project_code"): cards["project_code"].to_numpy(),
            tr("col_project"): cards["project_name"].to_numpy(),
            tr("col_department"): cards["department"].to_numpy(),
            tr("col_indicator_count"): cards["indicator_count"].astype(int).to_numpy(),
            tr("col_red"): cards["red_count"].astype(int).to_numpy(),
            tr("col_yellow"): cards["yellow_count"].astype(int).to_numpy(),
            tr("col_green"): cards["green_count"].astype(int).to_numpy(),
            tr("col_blue"): cards["blue_count"].astype(int).to_numpy(),
            tr("col_grey"): cards["grey_count"].astype(int).to_numpy(),
            tr("col_weighted_attainment"): [pct_value(v) for v in cards["weighted_attainment"]],
            tr("col_output_progress"): [pct_value(v) for v in cards["output_progress"]],
            **as_of,
            tr("col_worst_light"): [light_label(v) for v in cards["worst_light"]],
        }
    )
    config = {
        tr("col_weighted_attainment"): st.column_config.NumberColumn(format="%.1f%%"),
        tr("col_output_progress"): st.column_config.NumberColumn(format="%.1f%%"),
        tr("col_worst_light"): st.column_config.TextColumn(width="small"),
    }
    if as_of:
        config[tr("col_outputs_as_of")] = st.column_config.TextColumn(help=tr("outputs_as_of_help"))
    codes = pd.Series(list(cards["worst_light"]), dtype=object)
    return style_lights(out, [tr("col_worst_light")], {tr("col_worst_light"): codes}), config


def indicator_table(indicators, month: int | None = None):
    """data.indicator_attainment rows as (Styler, column_config): the target as written, the
    actual as a number without trailing zeros or as its qualitative text, attainment (uncapped)
    and in-year progress in percent, the light. With the as-of month, an actual reported for
    an earlier month says so (42（截至6月）): its progress is judged against that month."""
    actuals = [
        fmt.number(value) if fmt.to_decimal(value) is not None else cell_text(text)
        for value, text in zip(indicators["actual_value"], indicators["actual"], strict=True)
    ]
    if month is not None and "actual_month" in indicators:
        notes = [older_month(v, month) for v in indicators["actual_month"]]
        actuals = [
            a
            if m is None
            else (
                f"{a}（{tr('actual_as_of', m=m)}）"
                if lang() == "zh"
                else f"{a} ({tr('actual_as_of', m=m)})"
            )
            for a, m in zip(actuals, notes, strict=True)
        ]
    out = pd.DataFrame(
        {
            tr("col_project_code"): indicators["project_code"].to_numpy(),
            tr("col_project"): indicators["project_name"].to_numpy(),
            tr("col_level1"): indicators["level1"].to_numpy(),
            tr("col_level2"): indicators["level2"].to_numpy(),
            tr("col_indicator"): indicators["indicator"].to_numpy(),
            tr("col_light"): [light_label(v) for v in indicators["light"]],
            tr("col_target"): [cell_text(v) for v in indicators["target"]],
            tr("col_actual"): actuals,
            tr("col_unit"): [cell_text(v) for v in indicators["unit"]],
            tr("col_points"): [round_value(v, 2) for v in indicators["points"]],
            tr("col_attainment"): [pct_value(v) for v in indicators["attainment"]],
            tr("col_progress"): [pct_value(v) for v in indicators["progress"]],
            tr("col_reason"): [cell_text(v) for v in indicators["reason"]],
        }
    )
    config = {
        tr("col_points"): st.column_config.NumberColumn(format="%g"),
        tr("col_attainment"): st.column_config.NumberColumn(format="%.1f%%"),
        tr("col_progress"): st.column_config.NumberColumn(format="%.1f%%"),
        tr("col_light"): st.column_config.TextColumn(width="small"),
        tr("col_actual"): st.column_config.TextColumn(width="medium"),
    }
    codes = pd.Series(list(indicators["light"]), dtype=object)
    return style_lights(out, [tr("col_light")], {tr("col_light"): codes}), config


def filter_flags(flags, rules, severities, departments):
    """The warning flags whose rule, severity and department are among those chosen (an
    empty choice keeps everything)."""
    mask = flags["rule"].notna()
    if rules:
        mask &= flags["rule"].isin(rules)
    if severities:
        mask &= flags["severity"].isin(severities)
    if departments:
        mask &= flags["department_code"].isin(departments)
    chosen = flags[mask]
    # performance warnings first, data-quality notes after them; each keeps its order
    order = (~chosen["rule"].isin(PERFORMANCE_RULES)).astype(int)
    return (
        chosen.assign(_dq=order)
        .sort_values("_dq", kind="stable")
        .drop(columns="_dq")
        .reset_index(drop=True)
    )


def with_messages(flags):
    """These flags with their sentences (flags.with_messages): worded only for what is shown."""
    return worded(flags)


def warning_table(flags, extra: dict[str, object] | None = None):
    """data.warning_flags rows as (Styler, column_config): severity, project, rule, the
    sentence in the current language; then any extra columns (label → values, same order)."""
    flags = worded(flags)  # worded here: only the rows this table shows
    message = "message" if lang() == "zh" else "message_en"
    out = pd.DataFrame(
        {
            tr("col_severity"): [severity_label(s) for s in flags["severity"]],
            tr("col_project_code"): flags["project_code"].to_numpy(),
            tr("col_project"): flags["project_name"].to_numpy(),
            tr("col_rule"): [rule_label(r) for r in flags["rule"]],
            tr("col_message"): flags[message].to_numpy(),
            tr("col_department"): flags["department"].to_numpy(),
        }
    )
    for label, values in (extra or {}).items():
        out[label] = list(values)  # type: ignore[call-overload]
    # Widths that keep the sentence in view on a 1400-pixel screen with the sidebar open.
    config = {
        tr("col_severity"): st.column_config.TextColumn(width="small"),
        tr("col_project_code"): st.column_config.TextColumn(width=115),
        tr("col_project"): st.column_config.TextColumn(width=140),
        tr("col_rule"): st.column_config.TextColumn(width=100),
        tr("col_message"): st.column_config.TextColumn(width=340),
    }
    codes = pd.Series(list(flags["severity"]), dtype=object)
    return style_lights(out, [tr("col_severity")], {tr("col_severity"): codes}), config


# --- widths that fit a laptop -----------------------------------------------------------

# What a table has at 1280 wide with the sidebar open (the main column less its margins and
# the row-selection boxes), in px; wider screens stretch every column (st.dataframe grows them).
LAPTOP_TABLE_PX = 860
# st.dataframe's cell padding either side, and a header's few px more (its sort arrow).
_CELL_PAD_PX = 16
_HEADER_ICON_PX = 6
# a text column may shrink to this, its text then wrapping over the row's lines
_MIN_TEXT_PX = 90
_WRAP_LINES = 3


_MAX_UNWRAPPED_PX = 240


def _has_cjk(value: object) -> bool:
    return any(ord(ch) >= 0x2E80 for ch in str(value))


def text_px(text: object) -> float:
    """About how wide a text is in st.dataframe's 14 px Source Sans (measured in Chromium): a
    Chinese character (or any full-width one) 14 px, a capital 8, a digit 7, a small letter
    6.7, a space or punctuation 4."""
    width = 0.0
    for ch in str(text):
        if ord(ch) >= 0x2E80 or ch in "（）【】，。：；、":
            width += 14
        elif ch.isupper():
            width += 8
        elif ch.isdigit():
            width += 7
        elif ch.isalpha():
            width += 6.7
        else:
            width += 4
    return width


def _shown(value: object, spec: dict | None) -> str:
    """A cell as the table shows it (a number column's printf format applied)."""
    if value is None or (isinstance(value, float) and value != value):
        return fmt.EMPTY
    number_format = (spec or {}).get("type_config", {}).get("format") if spec else None
    if isinstance(number_format, str) and isinstance(value, int | float):
        try:
            text = number_format.replace("%,", "%") % value
        except (TypeError, ValueError):
            return str(value)
        # as wide as its grouping commas make it: 485556.12 → 485,556.12
        return text + "," * ((len(str(int(abs(value)))) - 1) // 3 if "%," in number_format else 0)
    return str(value)


def fit_columns(
    table,
    config: dict | None = None,
    order: list[str] | None = None,
    room: int = LAPTOP_TABLE_PX,
    lines: int = _WRAP_LINES,
):
    """column_config with a width for every shown column so the table fits a laptop
    (LAPTOP_TABLE_PX), and the row height it needs: each column as wide as its header and
    its widest cell (of the first 200 rows); when they add up to more, the widest text
    columns shrink (to no less than a third of their text, so three lines hold it) and the
    rows grow to WRAPPING_ROW_HEIGHT. room: the px it has; lines: the lines a wrapping row
    holds (its height grows with them). Returns (config, row_height or None)."""
    frame = getattr(table, "data", table)
    config = dict(config or {})
    columns = [c for c in (order or list(frame.columns)) if c in frame.columns]
    sample = frame.head(200)
    natural: dict[str, float] = {}
    header: dict[str, float] = {}
    for column in columns:
        spec = config.get(column)
        if column in config and spec is None:
            continue  # hidden
        label = spec.get("label") if isinstance(spec, dict) and spec.get("label") else column
        header[column] = text_px(label) + _CELL_PAD_PX + _HEADER_ICON_PX
        cells = [
            text_px(_shown(v, spec if isinstance(spec, dict) else None)) for v in sample[column]
        ]
        natural[column] = max([header[column], *(c + _CELL_PAD_PX for c in cells)])
    widths = dict(natural)
    wrapping = False
    excess = sum(widths.values()) - room
    # the widest text columns give way first
    for column in sorted(widths, key=lambda c: -natural[c]):
        if excess <= 0:
            break
        if pd.api.types.is_numeric_dtype(frame[column]):
            continue
        # a tenth more than a lines-th: words break where they may, not where the px run out
        floor = max(header[column], _MIN_TEXT_PX, natural[column] * 1.1 / lines + _CELL_PAD_PX)
        if not any(_has_cjk(v) for v in sample[column].head(50)):
            # measured in Chromium: the grid wraps Chinese text, but a text with none in it
            # stays on one line however tall the row: a code keeps its width, a long English
            # sentence is cut at _MAX_UNWRAPPED_PX rather than push every column off the page
            floor = max(floor, min(natural[column], _MAX_UNWRAPPED_PX))
        give = min(excess, widths[column] - floor)
        if give > 0:
            widths[column] -= give
            excess -= give
            wrapping = True
    for column, width in widths.items():
        spec = config.get(column)
        config[column] = {**(spec if isinstance(spec, dict) else {}), "width": round(width)}
    if not wrapping:
        return config, None
    return config, WRAPPING_ROW_HEIGHT + round((lines - _WRAP_LINES) * 19)


def fitted_dataframe(data, **kwargs):
    """st.dataframe with fit_columns' widths and row height (the column_config and
    column_order given are kept; a height from table_height grows with the rows)."""
    config, row_height = fit_columns(
        data, kwargs.pop("column_config", None), kwargs.get("column_order")
    )
    if row_height is not None and kwargs.get("row_height") is None:
        kwargs["row_height"] = row_height
        height = kwargs.get("height")
        if isinstance(height, int):
            rows = max(1, round((height - 38) / 35))
            kwargs["height"] = table_height(rows, row_height=row_height)
    return st.dataframe(data, column_config=config, **kwargs)
