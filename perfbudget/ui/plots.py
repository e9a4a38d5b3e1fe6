"""A figure of perfbudget.charts on a page, with its PNG and SVG download buttons, and how
much a chart draws before it needs a switch or a table."""

from __future__ import annotations

import html
from typing import Literal

import streamlit as st

from perfbudget import charts, data
from perfbudget.export import INTERNAL, MARKINGS_EN, file_stem, images
from perfbudget.export.images import SOURCE_EN, SOURCE_ZH
from perfbudget.ui.downloads import download
from perfbudget.ui.session import current_period, lang, tr

# A scatter draws at most this many projects (the largest budgets); the table lists all.
CHART_MAX_POINTS = charts.CHART_MAX_POINTS


def largest_for_chart(projects, limit: int = CHART_MAX_POINTS):
    """The `limit` projects with the largest adjusted budgets, in their own order
    (charts.largest_budgets: the briefing's slide draws the same)."""
    return charts.largest_budgets(projects, limit)


# How many departments the overview's bar chart shows before it needs a "show all" switch.
CHART_DEPARTMENTS = 12


def plotly(
    fig,
    key: str | None = None,
    *,
    title: str | None = None,
    as_of: str | None = None,
    file_name: str | None = None,
    downloads: bool = True,
    on_select: str = "ignore",
):
    """A figure from perfbudget.charts as it was built (theme=None keeps its own template),
    with the plotly toolbar, and under it two small buttons that download it as PNG (2×) and
    SVG drawn on the server: the chart's title (the figure's own unless given), the as-of line
    (the sidebar's period unless given), a source line and the 内部 marking on the image. The
    image is drawn only when a button is clicked (perfbudget.export.images).
    on_select="rerun": a click on a point reruns the page; returns the selection event."""
    extra = {} if on_select == "ignore" else {"selection_mode": ("points",)}
    event = st.plotly_chart(
        # on_select is "ignore" or "rerun"; streamlit types each in an overload of its own
        fig,
        theme=None,
        key=key,
        on_select=on_select,  # type: ignore[call-overload]
        config={"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]},
        **extra,
    )
    if downloads:
        chart_downloads(fig, key, title=title, as_of=as_of, file_name=file_name)
    return event


def chart_downloads(
    fig,
    key: str | None,
    *,
    title: str | None = None,
    as_of: str | None = None,
    file_name: str | None = None,
) -> None:
    """PNG and SVG download buttons for a figure; the bytes are made on click."""
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

    def make(fmt: Literal["png", "svg"]):
        def build() -> bytes:
            return images.chart_image(
                fig, fmt, title=chart_title, as_of=as_of, source=source, marking=marking
            )

        return build

    formats: tuple[tuple[Literal["png", "svg"], str, str], ...] = (
        ("png", "image/png", "image"),
        ("svg", "image/svg+xml", "draw"),
    )
    with st.container(horizontal=True, gap="small", key=f"{widget}_downloads"):
        for fmt, mime, icon in formats:
            download(
                fmt.upper(),
                make(fmt),
                file_name=f"{stem}{suffix}_{marking}.{fmt}",
                what=f"chart {html.unescape(chart_title) or widget}",
                mime=mime,
                key=f"{widget}_{fmt}",
                type="tertiary",
                icon=f":material/{icon}:",
                help=tr("chart_download_help", fmt=fmt.upper()),
            )


def export_marking() -> str:
    """What a file made from the dashboard's own view is marked: it may hold anything the user
    sees, sensitive projects included, so 内部 (internal). Public files come from the 简报 page
    with its 公开 choice (Scope.public())."""
    return INTERNAL if lang() == "zh" else MARKINGS_EN[INTERNAL]


def export_source() -> str:
    source = SOURCE_ZH if lang() == "zh" else SOURCE_EN
    return source + (tr("export_source_synthetic") if is_synthetic_data() else "")


def is_synthetic_data() -> bool:
    try:
        return data.is_synthetic()
    except Exception:  # an image must not fail because meta could not be read
        return False
