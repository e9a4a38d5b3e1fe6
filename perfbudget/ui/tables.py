"""Streamlit pieces shared by every page: the language switch, the one year/month selector,
the synthetic-data label, the user's scope. Pages call these; no business rule lives here."""

from __future__ import annotations

import html
import ipaddress
import re

import streamlit as st

from perfbudget import data
from perfbudget import formatting as fmt
from perfbudget.i18n import selfeval_status_text, t
from perfbudget.scope import Scope

LIGHT_COLOURS = {
    "red": "#d62728",
    "yellow": "#f2b701",
    "green": "#2ca02c",
    "blue": "#1f77b4",
    "grey": "#9e9e9e",
}


def ensure_router() -> None:
    """Every page calls this first. A link straight to a page (/execution) on a freshly started
    server reaches Streamlit before app.py has ever called st.navigation, and Streamlit then
    runs the page alone, the old pages/-folder way: no sidebar, no period, an empty page.
    Switch to the router and rerun: the same URL then runs through app.py."""
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def lang() -> str:
    return "en" if st.session_state.get("lang_en") else "zh"


def tr(key: str, **values: object) -> str:
    return t(key, lang(), **values)


def selfeval_status(status: object, missing: object) -> str:
    """不完整（n项指标缺年末完成值） / 无自评 / 完整 in the chosen language."""
    return selfeval_status_text(status, missing, lang())


# --- values from data shown as text ------------------------------------------------------

# What Markdown (and Streamlit's directives :red[…], :material/…:, $math$) or HTML would act
# on. CommonMark lets any ASCII punctuation be backslash-escaped, and the escape shows as the
# character itself.
_MD_SPECIAL = re.compile(r"[\\`*_\[\]()#<>|~$:&@!]")
_MD_BADGE_SPECIAL = re.compile(r"[\\`*_()#<>|~$:&@!]")  # st.badge escapes [ ] itself
# U+2060 WORD JOINER: invisible, but it breaks what the renderer turns into links and icons
# after parsing, where a backslash no longer counts: http://…, www.…, a@b.c, :material/x:.
_JOINER = "\u2060"


def md_text(value: object, *, badge: bool = False) -> str:
    """A value from data (a project, department or unit name, a note, a file or sheet name, a
    URL parameter, an import message) made safe to put into anything Streamlit renders as
    Markdown — st.markdown, st.caption, st.write, alerts, headings, metric and widget labels,
    page links, tabs: it shows as the text it is, never as a link, image, HTML, colour or
    formula. Line breaks become spaces. badge=True for st.badge, which escapes [ ] itself."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = re.sub(r"[\r\n]+", " ", str(value))
    text = (_MD_BADGE_SPECIAL if badge else _MD_SPECIAL).sub(lambda m: "\\" + m.group(), text)
    # a list item or a rule (- x, + x, ---) and a numbered item (1. x) at the start
    text = re.sub(r"^(\s*)([-+])(?=\s|-|$)", lambda m: f"{m.group(1)}\\{m.group(2)}", text)
    text = re.sub(r"^(\s*\d+)\.(?=\s|$)", lambda m: f"{m.group(1)}\\.", text)
    text = re.sub(r"\\:(?=\S)", lambda m: m.group() + _JOINER, text)  # http://, :material/…:
    text = text.replace("\\@", _JOINER + "\\@")  # a@b.c
    return re.sub(r"(?i)www(?=\.)", lambda m: m.group() + _JOINER, text)  # www.example


# --- where the dashboard listens -----------------------------------------------------------

LOOPBACK_NAMES = ("localhost",)


def listen_address() -> str:
    """The address the server binds (server.address: scripts/start.sh passes 127.0.0.1 unless
    told --listen ADDRESS); empty means every interface."""
    return str(st.get_option("server.address") or "").strip()


def is_loopback(address: str) -> bool:
    """127.0.0.1, ::1, localhost: reachable from this machine only. Empty, 0.0.0.0, :: or any
    other address: reachable from the network."""
    host = address.strip().strip("[]")
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def sign_in_configured() -> bool:
    """Whether visitors must sign in. There is no sign-in yet (a later issue brings st.login
    and roles); until then anyone who reaches the port sees and changes everything."""
    return False


def exposure_banner() -> None:
    """On every page (app.py): a red banner while the dashboard listens beyond this machine
    and nobody has to sign in."""
    address = listen_address()
    if is_loopback(address) or sign_in_configured():
        return
    st.error(tr("exposed_banner", address=md_text(address or "0.0.0.0")),
             icon=":material/lan:")


def current_scope() -> Scope:
    """Everything, until sign-in and roles arrive; then the user's departments and rights."""
    return Scope.everything()


def sidebar() -> None:
    """Language switch, the shared year/month selector and the synthetic-data label."""
    with st.sidebar:
        st.toggle(t("language", "en"), key="lang_en")
        periods = data.available_periods(current_scope())
        if periods.empty:
            st.session_state.pop("period", None)
        else:
            years = [int(y) for y in periods["year"]]
            year = st.selectbox(tr("year"), years, key="year")
            last = periods.loc[periods["year"] == year, "last_month"].iloc[0]
            last_month = 12 if last != last or last is None else int(last)
            months = list(range(1, last_month + 1)) or [12]
            if st.session_state.get("month") not in months:
                st.session_state["month"] = months[-1]
            # The widget's key carries the language: Streamlit keeps a selectbox's labels while
            # its key stays the same, so 12月 would survive the switch to English.
            widget_key = f"month_{lang()}"
            st.session_state[widget_key] = st.session_state["month"]
            month = st.selectbox(
                tr("month"), months, key=widget_key, format_func=lambda m: tr("month_n", m=m),
                on_change=_remember_month, args=(widget_key,),
            )
            st.session_state["period"] = (int(year), int(month))
        if data.is_synthetic():
            st.warning(tr("synthetic_badge"), icon=":material/science:")


def _remember_month(widget_key: str) -> None:
    st.session_state["month"] = st.session_state[widget_key]


def current_period() -> tuple[int, int] | None:
    """The (year, month) chosen in the sidebar; None when the database is empty."""
    return st.session_state.get("period")


def require_period() -> tuple[int, int]:
    """The chosen period, or an empty-state message and a stop when there is no data."""
    period = current_period()
    if period is None:
        st.info(tr("no_data"), icon=":material/upload_file:")
        st.stop()
    return period


# --- helpers for the pages' tables and tiles ---------------------------------------------

BADGE_COLOURS = {"red": "red", "yellow": "orange", "green": "green", "blue": "blue", "grey": "gray"}
# Soft cell fills for a light column; the text stays dark enough to read on each.
LIGHT_CELL_STYLES = {
    "red": "background-color: #fde2e1; color: #a61b1b; font-weight: 600",
    "yellow": "background-color: #fff3c4; color: #7a5b00; font-weight: 600",
    "green": "background-color: #dff3df; color: #1e6b1e; font-weight: 600",
    "blue": "background-color: #dcebf8; color: #17538a; font-weight: 600",
    "grey": "background-color: #eeeeee; color: #555555",
}


def light_label(light: object) -> str:
    """红灯 / Red … for a light code; grey (or nothing) reads as 未报送 / Not reported."""
    code = light if isinstance(light, str) and light in LIGHT_COLOURS else "grey"
    return tr(f"light_{code}")


def severity_label(severity: object) -> str:
    return tr(f"severity_{severity}") if severity in ("red", "yellow", "blue") else str(severity)


def wan_value(amount_yuan: object) -> float | None:
    """An exact 元 amount as 万元 rounded half up to 2 decimals, as the number a table column
    shows with '%,.2f' (the float nearest a 2-decimal value prints as that value)."""
    amount = fmt.to_decimal(amount_yuan)
    return None if amount is None else float(fmt.half_up(amount / fmt.YUAN_PER_WAN, 2))


def pct_value(rate: object, digits: int = 1) -> float | None:
    """A fraction as percent, rounded half up: 0.4215 → 42.2 (shown with '%.1f%%')."""
    value = fmt.to_decimal(rate)
    return None if value is None else float(fmt.half_up(value * 100, digits))


def round_value(value: object, digits: int = 1) -> float | None:
    """A figure rounded half up (gap in pp, pace) for a number column."""
    number = fmt.to_decimal(value)
    return None if number is None else float(fmt.half_up(number, digits))


# pandas' styler.render.max_elements: st.dataframe refuses a Styler over more cells than this
# (a city-wide table of 50,000 projects has 400,000–600,000).
STYLER_MAX_CELLS = 262_144


# Rows a table sends to the browser at once. A city has 50,000 projects and tens of thousands
# of flags: the page slices (and sorts) on the server and the download gives every row.
PAGE_ROWS = 500
# A filter offers at most this many choices; past it the user narrows another filter first.
MAX_CHOICES = 2_000
# A scatter draws at most this many projects (the largest budgets); the table lists all.
CHART_MAX_POINTS = 1_500


def largest_for_chart(projects, limit: int = CHART_MAX_POINTS):
    """The `limit` projects with the largest adjusted budgets, in their own order."""
    if len(projects) <= limit:
        return projects
    budget = projects["adjusted_budget_yuan"].map(lambda v: 0.0 if v is None else float(v))
    return projects.loc[budget.nlargest(limit).index.sort_values()].reset_index(drop=True)


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
            by = st.selectbox(tr("page_sort"), options, key=f"{key}_sort",
                              format_func=lambda c: tr("page_sort_default") if c is None else sort_columns[c])
        with cols[1]:
            # only a chosen column has a direction
            descending = st.toggle(tr("page_descending"), value=True, key=f"{key}_descending",
                                   disabled=by is None)
        if by is not None:
            frame = frame.sort_values(by, ascending=not descending, na_position="last", kind="stable")
    with cols[2]:
        page = int(st.number_input(tr("page_number", pages=pages), min_value=1, max_value=pages,
                                   value=1, step=1, key=f"{key}_page"))
    start = (page - 1) * rows
    with cols[3]:
        st.caption(tr("page_rows", first=start + 1, last=min(start + rows, total), n=total))
    return frame.iloc[start:start + rows].reset_index(drop=True)


def table_columns(table) -> list[str]:
    """The columns of what style_lights gave: a Styler's frame, or the frame itself."""
    return list(getattr(table, "data", table).columns)


def style_lights(frame, columns: list[str], codes: dict[str, object] | None = None):
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


def badge(light: object, text: str | None = None) -> None:
    """A coloured badge; its text is shown as text (a department or budget type from data
    included), never as Markdown."""
    code = light if isinstance(light, str) and light in BADGE_COLOURS else "grey"
    st.badge(md_text(text or light_label(code), badge=True),
             color=BADGE_COLOURS[code])  # type: ignore[arg-type]


# st.metric's delta colours for a flag's severity
_DELTA_COLOURS = {"red": "red", "yellow": "orange"}


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
        colour = _DELTA_COLOURS.get(str(severity), "gray")
    return signed_delta(tr("cost_deviation", d=fmt.pct(deviation)), deviation, colour=colour)


def plotly(
    fig, key: str | None = None, *, title: str | None = None, as_of: str | None = None,
    file_name: str | None = None, downloads: bool = True, on_select: str = "ignore",
):
    """A figure from perfbudget.charts as it was built (theme=None keeps its own template),
    with the plotly toolbar, and under it two small buttons that download it as PNG (2×) and
    SVG drawn on the server: the chart's title (the figure's own unless given), the as-of line
    (the sidebar's period unless given), a source line and the 内部 marking on the image. The
    image is drawn only when a button is clicked (perfbudget.export.images).
    on_select="rerun": a click on a point reruns the page; returns the selection event."""
    extra = {} if on_select == "ignore" else {"selection_mode": ("points",)}
    event = st.plotly_chart(
        fig, theme=None, key=key, on_select=on_select,  # type: ignore[arg-type]
        config={"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}, **extra)
    if downloads:
        chart_downloads(fig, key, title=title, as_of=as_of, file_name=file_name)
    return event


def export_marking() -> str:
    """What a file made from the dashboard's own view is marked: it may hold anything the user
    sees, sensitive projects included, so 内部 (internal). Public files come from the 简报 page
    with its 公开 choice (Scope.public())."""
    from perfbudget.export import INTERNAL, MARKINGS_EN

    return INTERNAL if lang() == "zh" else MARKINGS_EN[INTERNAL]


def export_source() -> str:
    from perfbudget.export.images import SOURCE_EN, SOURCE_ZH

    source = SOURCE_ZH if lang() == "zh" else SOURCE_EN
    return source + (tr("export_source_synthetic") if is_synthetic_data() else "")


def is_synthetic_data() -> bool:
    try:
        return data.is_synthetic()
    except Exception:  # an image must not fail because meta could not be read
        return False


def chart_downloads(fig, key: str | None, *, title: str | None = None, as_of: str | None = None,
                    file_name: str | None = None) -> None:
    """PNG and SVG download buttons for a figure; the bytes are made on click."""
    from perfbudget.export import file_stem, images

    period = current_period()
    if as_of is None and period is not None:
        as_of = tr("as_of", year=period[0], month=period[1])
    chart_title = title if title is not None else (fig.layout.title.text or "")
    marking = export_marking()
    source = export_source()
    # the title holds names escaped for plotly (charts.plain): the file name has them as they are
    stem = file_stem(file_name or html.unescape(chart_title) or key or "chart")
    suffix = f"_{period[0]}年{period[1]:02d}月" if period is not None else ""
    widget = key or f"chart_{abs(hash(chart_title)) % 10**8}"

    def make(fmt: str):
        def build() -> bytes:
            return images.chart_image(fig, fmt, title=chart_title, as_of=as_of, source=source,
                                      marking=marking)
        return build

    with st.container(horizontal=True, gap="small", key=f"{widget}_downloads"):
        for fmt, mime, icon in (("png", "image/png", "image"), ("svg", "image/svg+xml", "draw")):
            st.download_button(
                fmt.upper(), data=make(fmt), file_name=f"{stem}{suffix}_{marking}.{fmt}",
                mime=mime, key=f"{widget}_{fmt}", on_click="ignore", type="tertiary",
                icon=f":material/{icon}:", help=tr("chart_download_help", fmt=fmt.upper()),
            )


def export_scope() -> Scope:
    """What the user may see, minus sensitive (涉密) projects: the scope of any file that
    leaves the system."""
    scope = current_scope()
    return Scope(departments=scope.departments, include_sensitive=False)


def user_name() -> str:
    """Who is importing: the signed-in user's e-mail or name, else a generic label."""
    user = getattr(st, "user", None)
    if user is not None and user.get("is_logged_in"):
        return str(user.get("email") or user.get("name") or tr("upload_user"))
    return tr("upload_user")


def rule_label(rule_id: object) -> str:
    """The warning rule's name in the current language (支出进度偏慢 / Slow spending)."""
    from perfbudget.flags import RULES_BY_ID

    rule = RULES_BY_ID.get(str(rule_id))
    if rule is None:
        return str(rule_id)
    return rule.label_zh if lang() == "zh" else rule.label_en


def lights_for(lights, level: str, keys, column: str = "light", default: object = "grey"):
    """A column of data.scope_lights (the light codes by default) for the given keys at one
    level, in the keys' order; `default` where a key has none."""
    import pandas as pd

    table = lights.loc[lights["level"] == level].set_index("key")[column]
    return pd.Series([table.get(k, default) for k in keys], dtype=object)


def execution_table(
    frame, id_columns: dict[str, str], light_codes, extra: dict[str, str] | None = None,
    with_time_progress: bool = False,
):
    """An execution DataFrame (district, department or project rows of perfbudget.data) as
    (Styler, column_config) for st.dataframe: money in 万元 with 2 decimals converted exactly
    from 元 and rounded half up, rates in percent, the gap in pp, the pace, the light. Time
    progress is one figure for every row of a month: a column only where asked."""
    import pandas as pd

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
        fmt.EMPTY if c == "grey" and r else light_label(c) for c, r in zip(codes, reported, strict=True)
    ]
    for column, label in (extra or {}).items():
        out[label] = frame[column].to_numpy()
    config = {
        tr("col_budget_wan"): st.column_config.NumberColumn(format="%,.2f"),
        tr("col_spent_wan"): st.column_config.NumberColumn(format="%,.2f"),
        tr("col_rate"): st.column_config.NumberColumn(format="%.1f%%"),
        tr("col_time_progress"): st.column_config.NumberColumn(format="%.1f%%"),
        tr("col_pace"): st.column_config.NumberColumn(format="%.2f", help=tr("pace_light_help")),
        tr("col_light"): st.column_config.TextColumn(width="small", help=tr("light_help")),
        tr("col_gap_pp"): st.column_config.NumberColumn(
            label=tr("col_gap_pp_short"), format="%+.1f", help=tr("kpi_gap_help")),
    }
    styler = style_lights(out, [tr("col_light")], {tr("col_light"): codes})
    return styler, config


def _text(value: object) -> str:
    return value if isinstance(value, str) and value.strip() else fmt.EMPTY


def older_month(actual_month: object, month: int | None) -> int | None:
    """The month a figure rests on when it is older than the as-of month (an indicator reported
    quarterly stands on its latest actual), else None."""
    if month is None or actual_month is None or actual_month != actual_month:
        return None
    return int(actual_month) if int(actual_month) < month else None


def outputs_as_of_column(frame, month: int | None) -> dict[str, list[str]]:
    """The 产出数据截至 column of a table of projects, only when some project's output progress
    rests on a month older than the as-of month."""
    if month is None or "oldest_actual_month" not in frame:
        return {}
    older = [older_month(v, month) for v in frame["oldest_actual_month"]]
    if all(m is None for m in older):
        return {}
    return {tr("col_outputs_as_of"): [fmt.EMPTY if m is None else tr("month_n", m=m) for m in older]}


def scorecard_table(cards, month: int | None = None):
    """data.project_target_scorecard rows as (Styler, column_config) for st.dataframe; with the
    as-of month, a 产出数据截至 column where output progress rests on older actuals."""
    import pandas as pd

    as_of = outputs_as_of_column(cards, month)
    out = pd.DataFrame({
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
    })
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
    import pandas as pd

    actuals = [
        fmt.number(value) if fmt.to_decimal(value) is not None else _text(text)
        for value, text in zip(indicators["actual_value"], indicators["actual"], strict=True)
    ]
    if month is not None and "actual_month" in indicators:
        notes = [older_month(v, month) for v in indicators["actual_month"]]
        actuals = [a if m is None else
                   (f"{a}（{tr('actual_as_of', m=m)}）" if lang() == "zh"
                    else f"{a} ({tr('actual_as_of', m=m)})")
                   for a, m in zip(actuals, notes, strict=True)]
    out = pd.DataFrame({
        tr("col_project_code"): indicators["project_code"].to_numpy(),
        tr("col_project"): indicators["project_name"].to_numpy(),
        tr("col_level1"): indicators["level1"].to_numpy(),
        tr("col_level2"): indicators["level2"].to_numpy(),
        tr("col_indicator"): indicators["indicator"].to_numpy(),
        tr("col_light"): [light_label(v) for v in indicators["light"]],
        tr("col_target"): [_text(v) for v in indicators["target"]],
        tr("col_actual"): actuals,
        tr("col_unit"): [_text(v) for v in indicators["unit"]],
        tr("col_points"): [round_value(v, 2) for v in indicators["points"]],
        tr("col_attainment"): [pct_value(v) for v in indicators["attainment"]],
        tr("col_progress"): [pct_value(v) for v in indicators["progress"]],
        tr("col_reason"): [_text(v) for v in indicators["reason"]],
    })
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
    from perfbudget.flags import PERFORMANCE_RULES

    chosen = flags[mask]
    # performance warnings first, data-quality notes after them; each keeps its order
    order = (~chosen["rule"].isin(PERFORMANCE_RULES)).astype(int)
    return chosen.assign(_dq=order).sort_values("_dq", kind="stable").drop(columns="_dq") \
        .reset_index(drop=True)


def warning_table(flags, extra: dict[str, object] | None = None):
    """data.warning_flags rows as (Styler, column_config): severity, project, rule, the
    sentence in the current language; then any extra columns (label → values, same order)."""
    import pandas as pd

    from perfbudget.flags import with_messages

    flags = with_messages(flags)  # worded here: only the rows this table shows
    message = "message" if lang() == "zh" else "message_en"
    out = pd.DataFrame({
        tr("col_severity"): [severity_label(s) for s in flags["severity"]],
        tr("col_project_code"): flags["project_code"].to_numpy(),
        tr("col_project"): flags["project_name"].to_numpy(),
        tr("col_rule"): [rule_label(r) for r in flags["rule"]],
        tr("col_message"): flags[message].to_numpy(),
        tr("col_department"): flags["department"].to_numpy(),
    })
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


def warning_xlsx(flags) -> bytes:
    """The warning flags as a formatted workbook with Chinese headers and sentences, rows
    filled by severity (perfbudget.export.xlsx)."""
    from perfbudget.export.xlsx import Column, dataframe_to_xlsx
    from perfbudget.flags import SEVERITY_LABELS, with_messages

    frame = with_messages(flags)
    frame["severity_zh"] = [SEVERITY_LABELS["zh"].get(s, s) for s in frame["severity"]]
    for column in ("adjusted_budget_yuan", "spent_yuan", "execution_rate", "gap_pp"):
        if column not in frame:
            frame[column] = None
    columns = [
        Column("severity_zh", "等级"),
        Column("project_code", "项目编码"),
        Column("project_name", "项目名称", width=24),
        Column("department_code", "主管部门编码"),
        Column("department", "主管部门", width=20),
        Column("rule_label", "预警规则"),
        Column("message", "预警说明", width=60),
        Column("value", "指标值", "number"),
        Column("threshold", "阈值", "number"),
        Column("adjusted_budget_yuan", "调整后预算数（万元）", "wan"),
        Column("spent_yuan", "累计支出（万元）", "wan"),
        Column("execution_rate", "执行率", "rate"),
        Column("gap_pp", "进度差（百分点）", "pp"),
        Column("as_of_month", "截至月份", "integer"),
    ]
    return dataframe_to_xlsx(frame, columns, sheet_name="预警", severity_key="severity")


def with_messages(flags):
    """These flags with their sentences (flags.with_messages): worded only for what is shown."""
    from perfbudget.flags import with_messages as worded

    return worded(flags)


def light_flags(flags):
    """The red and yellow performance flags: what lights are made of and the overview's 预警
    tile counts (flags.light_flags), worst first as warning_flags orders them."""
    from perfbudget.flags import light_flags as red_and_yellow

    return red_and_yellow(flags)


def flag_count_line(flags) -> str:
    """共N条 = 红色预警 + 黄色预警 + 蓝色提示 + 数据质量提示 of the flags given (flags.flag_counts)."""
    from perfbudget.flags import flag_counts

    counts = flag_counts(flags)
    return tr("warning_counts", n=counts.total, red=counts.red, yellow=counts.yellow,
              blue=counts.blue, dq=counts.data_quality)


def flag_subject(row) -> str:
    """Who a flag is about, as Markdown: '**项目编码 项目名称** · 部门', or the department for a
    department flag; the names as text (md_text)."""
    code, name = getattr(row, "project_code", None), getattr(row, "project_name", None)
    department = getattr(row, "department", None)
    department = department if isinstance(department, str) else ""
    if isinstance(code, str) and code:
        name = name if isinstance(name, str) else ""
        return f"**{md_text(code)} {md_text(name)}** · {md_text(department)}"
    return f"**{md_text(department)}**"


# --- the upload page -------------------------------------------------------------------

def progress_callback(bar):
    """A progress function for the importer (fraction 0–1, label) that moves a st.progress bar."""

    def report(fraction: float, label: str | None = None) -> None:
        value = min(max(float(fraction), 0.0), 1.0)
        bar.progress(value, text=md_text(summary_line(label)) if label else tr("importing"))

    return report


def issues_frame(issues):
    """ImportRejected.issues as a table: file, sheet, row, column, the problem."""
    import pandas as pd

    message = "message_zh" if lang() == "zh" else "message_en"
    return pd.DataFrame({
        tr("col_file"): [i.file for i in issues],
        tr("col_sheet"): [i.sheet or "" for i in issues],
        tr("col_row"): pd.array([i.row for i in issues], dtype="Int64"),
        tr("col_column"): [i.column or "" for i in issues],
        tr("col_problem"): [getattr(i, message) for i in issues],
    })


ISSUES_AS_TEXT = 8


def show_issues(issues) -> None:
    """Import problems where a reader can read them whole: the first few as sentences (a
    table cell would cut a long message off), all of them in a table when there are more."""
    zh = lang() == "zh"
    lines = []
    for issue in issues[:ISSUES_AS_TEXT]:
        where = ([tr("issue_sheet", sheet=md_text(issue.sheet))] if issue.sheet is not None else [])
        if issue.row is not None:
            where.append(tr("issue_row", row=issue.row))
        if issue.column is not None:
            where.append(tr("issue_column", column=md_text(issue.column)))
        head = f"{md_text(issue.file)} · " + " · ".join(where) if where else md_text(issue.file)
        lines.append(f"- **{head}**{'：' if zh else ': '}"
                     f"{md_text(issue.message_zh if zh else issue.message_en)}")  # fmt: skip
    st.markdown("\n".join(lines))
    if len(issues) > ISSUES_AS_TEXT:
        st.caption(tr("issues_all_below", n=len(issues)))
        st.dataframe(issues_frame(issues), hide_index=True, placeholder="—")


def summary_line(line: str) -> str:
    """One of ImportResult.summary_lines() ('中文 | English') in the current language."""
    if " | " not in line:
        return line.strip()
    zh, en = line.split(" | ", 1)
    return (zh if lang() == "zh" else en).strip()


def _kind_names(kinds: object) -> str:
    names = [k.strip() for k in str(kinds).split(",") if k.strip()]
    separator = "、" if lang() == "zh" else ", "
    return separator.join(tr(f"kind_{k}") for k in names)


def import_summary_table(frame):
    """ImportResult.to_frame() with headers in the current language."""
    import pandas as pd

    return pd.DataFrame({
        tr("col_file"): frame["file_name"].to_numpy(),
        tr("col_sheet"): [s if isinstance(s, str) else "" for s in frame["sheet"]],
        tr("col_kind"): [tr(f"kind_{k}") for k in frame["kind"]],
        tr("col_header_row"): frame["header_row"].to_numpy(),
        tr("col_rows"): frame["rows"].to_numpy(),
        tr("col_batch"): frame["batch_id"].to_numpy(),
        tr("col_replaced"): frame["replaced_count"].to_numpy(),
        tr("col_ignored"): frame["ignored_columns"].to_numpy(),
    })


def batches_table(batches):
    """data.import_batches rows as (DataFrame, column_config), newest first."""
    import pandas as pd

    out = pd.DataFrame({
        tr("col_batch"): batches["batch_id"].to_numpy(),
        tr("col_file_name"): batches["file_name"].to_numpy(),
        tr("col_kinds"): [_kind_names(k) for k in batches["table_kinds"]],
        tr("col_rows"): batches["row_count"].to_numpy(),
        tr("col_replaced"): batches["replaced_count"].to_numpy(),
        tr("col_imported_at"): batches["imported_at"].to_numpy(),
        tr("col_imported_by"): batches["imported_by"].to_numpy(),
        tr("col_status"): [tr(f"status_{v}") for v in batches["status"]],
    })
    config = {
        tr("col_imported_at"): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss"),
        tr("col_rows"): st.column_config.NumberColumn(format="%d"),
        tr("col_replaced"): st.column_config.NumberColumn(format="%d"),
    }
    return out, config


def table_height(rows: int, max_rows: int = 20, row_height: int = 35) -> int | str:
    """A height that shows up to max_rows rows without an inner scrollbar (st.dataframe's
    'auto' stops at 10)."""
    if rows <= 10 and row_height == 35:
        return "auto"
    return row_height * min(rows, max_rows) + 35 + 3


# How many departments the overview's bar chart shows before it needs a "show all" switch.
CHART_DEPARTMENTS = 12

# st.dataframe wraps text only in rows taller than 4rem: room for three lines of a sentence.
WRAPPING_ROW_HEIGHT = 72


# --- projects and flag follow-up (dual monitoring, project, warnings pages) -------------------

def project_link(code: str, label: str | None = None) -> None:
    """A link to the project page for one project (/project?project=CODE)."""
    st.page_link("pages/project.py", label=label or tr("open_project", code=md_text(code)),
                 icon=":material/open_in_new:", query_params={"project": code})


def followup_status_label(status: object) -> str:
    """已关注 / 已处理 (stored in Chinese) in the current language; — for none."""
    labels = {"已关注": tr("followup_noted"), "已处理": tr("followup_handled")}
    return labels.get(status, fmt.EMPTY) if isinstance(status, str) else fmt.EMPTY


def since_label(since_month: object, months_flagged: object) -> str:
    """自3月起连续5个月 / since month 3 (5 months); — when unknown."""
    if since_month is None or since_month != since_month:
        return fmt.EMPTY
    return tr("since_label", m=int(since_month), n=int(months_flagged))


def flag_keys(flags):
    """The key that joins a flag with its persistence and follow-ups: project (or ''),
    department, rule."""
    project = flags["project_code"].fillna("").astype(str)
    rule = flags["rule"] if "rule" in flags else flags["rule_id"]
    return project + "|" + flags["department_code"].astype(str) + "|" + rule.astype(str)


def followup_history_table(history):
    """data.flag_followups rows (one flag's) as a table, newest first."""
    import pandas as pd

    return pd.DataFrame({
        tr("col_noted_at"): history["noted_at"].to_numpy(),
        tr("col_followup"): [followup_status_label(s) for s in history["status"]],
        tr("col_note"): [_text(n) for n in history["note"]],
        tr("col_noted_by"): history["user_name"].to_numpy(),
        tr("col_as_of_month"): [tr("month_n", m=int(m)) for m in history["as_of_month"]],
    })


def followup_form(flag, year: int, key: str) -> None:
    """已关注 / 已处理 with a note on one flag (a row of data.warning_flags); kept with who and
    when in flag_followups through data.record_followup."""
    from perfbudget.flags import FOLLOWUP_STATUSES

    with st.form(key=key, clear_on_submit=True, border=True):
        st.markdown(tr("followup_form_heading"))
        status = st.radio(tr("followup_status"), FOLLOWUP_STATUSES, horizontal=True,
                          format_func=followup_status_label, key=f"{key}_status")
        note = st.text_area(tr("followup_note"), key=f"{key}_note", height=80,
                            placeholder=tr("followup_note_placeholder"))
        if st.form_submit_button(tr("followup_save"), type="primary", icon=":material/done:"):
            code = flag["project_code"]
            data.record_followup(
                year=year, project_code=code if isinstance(code, str) else None,
                department_code=str(flag["department_code"]), rule_id=str(flag["rule"]),
                as_of_month=int(flag["as_of_month"]), status=status, note=note, user=user_name(),
            )
            st.toast(tr("followup_saved"), icon=":material/check_circle:")
            st.rerun()


# --- the briefing page ------------------------------------------------------------------

PPTX_MIME = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def briefing_downloads(model, *, pdf_available: bool) -> None:
    """Three buttons: the PPTX, the PDF (LibreOffice; a clear note and no button without it)
    and the tables as .xlsx. Each file is made on click, from the briefing model; the chart
    images are drawn once per model and serve the PPTX and the PDF."""
    from perfbudget.export.briefing import briefing_xlsx
    from perfbudget.export.pdf import MISSING_MESSAGE, briefing_pdf
    from perfbudget.export.pptx import briefing_pptx, chart_images

    drawn: dict[str, dict[str, bytes]] = {}

    def images() -> dict[str, bytes]:
        if "png" not in drawn:
            drawn["png"] = chart_images(model)
        return drawn["png"]

    with st.container(horizontal=True, gap="small", key="briefing_downloads"):
        st.download_button(
            tr("briefing_download_pptx"), data=lambda: briefing_pptx(model, images=images()),
            file_name=model.file_name("pptx"), mime=PPTX_MIME, type="primary",
            icon=":material/slideshow:", on_click="ignore", key="briefing_pptx",
        )
        if pdf_available:
            st.download_button(
                tr("briefing_download_pdf"), data=lambda: briefing_pdf(model, images()),
                file_name=model.file_name("pdf"), mime="application/pdf",
                icon=":material/picture_as_pdf:", on_click="ignore", key="briefing_pdf",
            )
        st.download_button(
            tr("briefing_download_xlsx"), data=lambda: briefing_xlsx(model),
            file_name=model.file_name("xlsx").replace("简报_", "简报附表_", 1), mime=XLSX_MIME,
            icon=":material/table_view:", on_click="ignore", key="briefing_xlsx",
        )
    if not pdf_available:
        st.warning(MISSING_MESSAGE.split("\n")[0 if lang() == "zh" else 1],
                   icon=":material/picture_as_pdf:")
    st.caption(tr("briefing_building_note"))


def briefing_outline(model) -> str:
    """The slides as a numbered list: title and the key figure of each."""
    lines = [f"1. **{tr('briefing_cover')}** · {md_text(model.title)} · {md_text(model.marking)}"]
    for number, section in enumerate(model.sections, start=2):
        lines.append(f"{number}. **{md_text(section.title)}** · {md_text(section.caption)}")
    return "\n".join(lines)
