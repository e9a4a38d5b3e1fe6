"""Every colour PerfBudget draws with, in one place: the charts (screen and slide), the pages'
table cells and badges, the PPTX deck and the XLSX workbook all read them from here, so a
light is the same red everywhere.

Colours are "#rrggbb" strings; `hex6` gives the six digits that openpyxl and python-pptx
take. What a colour means (which codes exist, in which order) is in perfbudget.vocab."""

from __future__ import annotations

# --- the lights (perfbudget.vocab.LIGHTS): chart marks, and a pale fill with dark ink ------
LIGHT = {
    "red": "#d62728",
    "yellow": "#f2b701",
    "green": "#2ca02c",
    "blue": "#1f77b4",
    "grey": "#9e9e9e",
}
# A table cell or KPI tile of a light: a pale fill, its text dark enough to read on it.
LIGHT_FILL = {
    "red": "#fde2e1",
    "yellow": "#fff3c4",
    "green": "#dff3df",
    "blue": "#dcebf8",
    "grey": "#eeeeee",
}
LIGHT_INK = {
    "red": "#a61b1b",
    "yellow": "#7a5b00",
    "green": "#1e6b1e",
    "blue": "#17538a",
    "grey": "#555555",
}
# Streamlit's named colours for a light's badge (st.badge) and a severity's metric delta.
LIGHT_BADGE = {"red": "red", "yellow": "orange", "green": "green", "blue": "blue", "grey": "gray"}
SEVERITY_DELTA = {"red": "red", "yellow": "orange"}
# A flagged row in a workbook: Excel's own "bad", "neutral" and "note" fills.
SEVERITY_ROW_FILL = {"red": "#ffc7ce", "yellow": "#ffeb9c", "blue": "#bdd7ee"}

# --- the figures' categories, in the lights' colours -----------------------------------------
QUADRANT = {
    "on_track": LIGHT["green"],  # 进度与产出同步
    "spending_ahead": LIGHT["yellow"],  # 支出快于产出: money out, outputs not delivered
    "outputs_ahead": LIGHT["blue"],  # 产出快于支出: check for late booking
    "both_behind": LIGHT["red"],  # 双双滞后
}
GRADE = {"优": LIGHT["green"], "良": LIGHT["blue"], "中": LIGHT["yellow"], "差": LIGHT["red"]}
CLAIMED_GRADE = "#b0bec5"  # the grades the units claimed, beside the recomputed ones
RECTIFICATION = {
    "overdue": LIGHT["red"],
    "open": LIGHT["yellow"],
    "done_late": "#ff7f0e",
    "done": LIGHT["green"],
}
# The cost benchmark (成本分析): each project a point, its class's middle half a band, the
# median, the 成本定额标准 and the suggested standard (平均先进值) lines; outliers in red.
COST = {
    "point": "#1f4e79",
    "outlier": LIGHT["red"],
    "band": "#dbe7f3",
    "median": "#1f4e79",
    "standard": "#e4572e",
    "suggested": LIGHT["green"],
    "previous": "#b0bec5",
}

# --- chart lines and text --------------------------------------------------------------------
RATE = "#1f4e79"  # the execution-rate line: a sober dark blue (also the deck's navy)
TIME_PROGRESS = "#e4572e"  # the 序时进度 line: stands apart from every light colour
TYPICAL_SHARE = LIGHT["grey"]  # the forecast's typical cumulative share s(m)
TEXT = "#262730"  # body text: charts, and the deck's ink
GRID = "#e6e6e6"
ZERO_LINE = "#bdbdbd"
CUTOFF_LINE = "#777777"  # the dual-monitoring cut-off lines on screen
CUTOFF_LINE_SLIDE = "#757575"  # … and on a slide
CUTOFF_TEXT = "#555555"

# --- exports: deck, workbook, image footers ---------------------------------------------------
FOOTER = "#6b6b6b"  # footers and captions (images, deck)
RULE = "#d0d7e1"  # the deck's thin rules
WHITE = "#ffffff"
HEADER_FILL = "#d9e1f2"  # a table's header row (deck and workbook)
TILE = "#f5f7fa"  # a KPI tile on a slide
ACCENT = TIME_PROGRESS  # the accent bar beside a slide's caption
HEADER_BORDER = "#8ea9db"  # the workbook header's bottom border
MARKING = {"内部": "#b3261e", "公开": "#1e6b1e"}  # the 内部 / 公开 marking
MARKING_EN = {"Internal": MARKING["内部"], "Public": MARKING["公开"]}


def hex6(colour: str) -> str:
    """ "#d9e1f2" → "D9E1F2", as openpyxl and python-pptx (RGBColor.from_string) take it."""
    return colour.lstrip("#").upper()


def css_cell(light: str) -> str:
    """The CSS of a table cell showing a light: its pale fill and dark ink (bold unless grey)."""
    weight = "" if light == "grey" else "; font-weight: 600"
    return f"background-color: {LIGHT_FILL[light]}; color: {LIGHT_INK[light]}{weight}"
