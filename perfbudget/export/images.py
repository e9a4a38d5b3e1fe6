"""Chart images: a plotly figure from perfbudget.charts as PNG (2× scale) or SVG bytes, drawn
by kaleido in the system's Chromium, with the chart's title, the data's as-of date, a source
line and the export's marking (内部 / 公开) on the image.

One kaleido server per process: the first image takes ~3 s (Chromium starts), later ones
0.2–0.4 s. The server answers one request at a time and its queue is not safe for two callers
at once (Streamlit runs a download's callable on its own thread), so every call goes through
one lock. Exported figures always set their template (importing streamlit changes plotly's
default) and a font family with Chinese glyphs (without one every glyph is a box)."""

from __future__ import annotations

import threading
from typing import Literal

import plotly.graph_objects as go

from perfbudget import palette
from perfbudget.charts import FONT_FAMILY, TEMPLATE, TEXT_COLOUR

ImageFormat = Literal["png", "svg"]

PNG_SCALE = 2
DEFAULT_WIDTH = 1100
DEFAULT_HEIGHT = 500
SOURCE_ZH = "来源：预算绩效看板 PerfBudget"
SOURCE_EN = "Source: PerfBudget budget performance dashboard"
FOOTER_COLOUR = palette.FOOTER
MARKING_COLOURS = {**palette.MARKING, **palette.MARKING_EN}
# Room added above the plot for the as-of line, below it for the source line (pixels). The
# figure grows by the same amount, so the plot area and every paper position stay where they
# were.
EXTRA_TOP, EXTRA_BOTTOM = 26, 34
RENDER_TIMEOUT_SECONDS = 90

_lock = threading.Lock()
_server_started = False


class ImageExportError(RuntimeError):
    """The image could not be drawn (no Chrome/Chromium, or the browser failed)."""


def ensure_server() -> None:
    """Start this process's one kaleido server (a Chromium kept open), once."""
    global _server_started
    if _server_started:
        return
    import kaleido  # loads with the first image: slow, and it needs a Chromium

    with _lock:
        if not _server_started:
            # mathjax=False: no formulas here, and no attempt to fetch MathJax from a CDN
            kaleido.start_sync_server(
                mathjax=False, timeout=RENDER_TIMEOUT_SECONDS, silence_warnings=True
            )
            _server_started = True


def export_figure(fig: go.Figure) -> go.Figure:
    """A copy of the figure with the template and the CJK font family set explicitly."""
    out = go.Figure(fig)
    out.update_layout(template=TEMPLATE)
    if not out.layout.font.family:
        out.update_layout(font={"family": FONT_FAMILY})
    if out.layout.font.color is None:
        out.update_layout(font={"color": TEXT_COLOUR})
    return out


def render(
    fig: go.Figure,
    fmt: ImageFormat = "png",
    *,
    width: int | None = None,
    height: int | None = None,
    scale: float | None = None,
) -> bytes:
    """The figure as image bytes as it is (see annotated() for the title and footer lines).
    Width and height in layout pixels; PNG at PNG_SCALE unless told."""
    figure = export_figure(fig)
    spec = figure.to_dict()
    layout = spec.get("layout", {})
    opts = {
        "format": fmt,
        "width": int(width or layout.get("width") or DEFAULT_WIDTH),
        "height": int(height or layout.get("height") or DEFAULT_HEIGHT),
        "scale": scale if scale is not None else (PNG_SCALE if fmt == "png" else 1),
    }
    ensure_server()
    import kaleido  # loads with the first image: slow, and it needs a Chromium

    try:
        with _lock:
            return kaleido.calc_fig_sync(spec, opts=opts)
    except Exception as exc:  # kaleido raises several kinds; say what failed
        raise ImageExportError(
            f"图表图片生成失败（需要 Chromium 与中文字体）/ chart image failed: {exc}"
        ) from exc


def annotated(
    fig: go.Figure,
    *,
    title: str | None = None,
    as_of: str | None = None,
    source: str | None = SOURCE_ZH,
    marking: str | None = None,
) -> go.Figure:
    """A copy of the figure for an image that leaves the dashboard: its title (the figure's own
    unless one is given), the as-of line under it, the source line at the bottom left and the
    marking (内部 / 公开) at the bottom right. The figure passed in is not changed."""
    out = export_figure(fig)
    margin = out.layout.margin
    # plotly's own defaults where the figure sets no margin
    old_top = margin.t if margin.t is not None else 100
    old_bottom = margin.b if margin.b is not None else 80
    top = old_top + (EXTRA_TOP if as_of else 0)
    bottom = old_bottom + (EXTRA_BOTTOM if source or marking else 0)
    height = (out.layout.height or DEFAULT_HEIGHT) + (top - old_top) + (bottom - old_bottom)
    out.update_layout(height=height, margin={"t": top, "b": bottom})
    text = title if title is not None else (out.layout.title.text or "")
    out.update_layout(
        title={
            "text": text,
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "font": {"family": FONT_FAMILY, "size": 17, "color": TEXT_COLOUR},
            "pad": {"l": 10},
        }
    )
    if as_of:
        out.update_layout(
            title={
                "subtitle": {
                    "text": as_of,
                    "font": {"family": FONT_FAMILY, "size": 12, "color": FOOTER_COLOUR},
                }
            }
        )
    plot_height = height - top - bottom
    # paper y of a line `pixels` above the figure's bottom edge
    y_bottom = -(bottom - 8) / plot_height if plot_height > 0 else -0.1
    if source:
        out.add_annotation(
            text=source,
            xref="paper",
            yref="paper",
            x=0,
            y=y_bottom,
            xanchor="left",
            yanchor="bottom",
            showarrow=False,
            font={"family": FONT_FAMILY, "size": 11, "color": FOOTER_COLOUR},
        )
    if marking:
        out.add_annotation(
            text=f"<b>{marking}</b>",
            xref="paper",
            yref="paper",
            x=1,
            y=y_bottom,
            xanchor="right",
            yanchor="bottom",
            showarrow=False,
            font={
                "family": FONT_FAMILY,
                "size": 12,
                "color": MARKING_COLOURS.get(marking, FOOTER_COLOUR),
            },
            bordercolor=MARKING_COLOURS.get(marking, FOOTER_COLOUR),
            borderwidth=1,
            borderpad=3,
        )
    return out


def chart_image(
    fig: go.Figure,
    fmt: ImageFormat = "png",
    *,
    title: str | None = None,
    as_of: str | None = None,
    source: str | None = SOURCE_ZH,
    marking: str | None = None,
    width: int = DEFAULT_WIDTH,
) -> bytes:
    """The figure as a downloadable image: annotated() drawn as PNG (2×) or SVG."""
    figure = annotated(fig, title=title, as_of=as_of, source=source, marking=marking)
    return render(figure, fmt, width=width)


def chart_png(fig: go.Figure, **kwargs) -> bytes:
    return chart_image(fig, "png", **kwargs)


def chart_svg(fig: go.Figure, **kwargs) -> bytes:
    return chart_image(fig, "svg", **kwargs)
