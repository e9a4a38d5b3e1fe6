"""Chart images (perfbudget.export.images): PNG at 2× and SVG drawn by kaleido in Chromium,
with the title, the as-of line, the source and the marking on a copy of the figure, an
explicit template, and Chinese glyphs drawn as glyphs, not boxes (tofu)."""

from __future__ import annotations

import io

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from PIL import Image, ImageDraw

from perfbudget import charts
from perfbudget.export import images

CHARACTERS = "预算绩效执行率"
CELL = 100


@pytest.fixture(scope="module")
def bar_figure():
    fig = go.Figure(go.Bar(x=["区教育局", "区卫生健康委员会"], y=[0.388, 0.5]))
    fig.update_layout(title={"text": "各部门预算执行率"}, height=360)
    return fig


def _image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("L")


def glyphs_are_distinct(picture: Image.Image, count: int, cell: int = CELL) -> bool:
    """True when each of `count` cells side by side holds ink and no two cells hold the same
    shape. Missing glyphs (tofu) are all the same box, so they fail this."""
    pixels = np.asarray(picture) < 128
    shapes = []
    for index in range(count):
        part = pixels[:, index * cell : (index + 1) * cell]
        rows, cols = np.nonzero(part)
        if len(rows) == 0:
            return False
        crop = part[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
        shape = Image.fromarray((crop * 255).astype(np.uint8)).resize((32, 32))
        shapes.append(np.asarray(shape) > 127)
    differences = [np.mean(a != b) for i, a in enumerate(shapes) for b in shapes[i + 1 :]]
    return min(differences) > 0.08


def test_the_glyph_check_catches_boxes():
    """The check itself: identical boxes (what a missing font draws) are not distinct."""
    tofu = Image.new("L", (CELL * 4, 120), 255)
    draw = ImageDraw.Draw(tofu)
    for index in range(4):
        draw.rectangle([index * CELL + 25, 25, index * CELL + 75, 95], outline=0, width=3)
    assert not glyphs_are_distinct(tofu, 4)


def test_chinese_glyphs_are_drawn_with_the_cjk_font_not_as_boxes():
    fig = go.Figure()
    for index, character in enumerate(CHARACTERS):
        fig.add_annotation(
            text=character,
            x=(index + 0.5) / len(CHARACTERS),
            y=0.5,
            xref="paper",
            yref="paper",
            showarrow=False,
            font={"size": 64, "family": charts.FONT_FAMILY, "color": "black"},
        )
    fig.update_layout(
        width=CELL * len(CHARACTERS),
        height=120,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        xaxis={"visible": False},
        yaxis={"visible": False},
    )
    png = images.render(fig, "png", scale=1)
    assert glyphs_are_distinct(_image(png), len(CHARACTERS))


def test_png_is_at_twice_the_layout_size_and_not_blank(bar_figure):
    png = images.chart_png(bar_figure, as_of="数据截至2025年7月", marking="内部", width=800)
    picture = _image(png)
    height = images.annotated(bar_figure, as_of="数据截至2025年7月", marking="内部").layout.height
    assert picture.size == (1600, 2 * height)
    values = np.asarray(picture)
    assert values.std() > 10  # bars, text and axes, not one flat colour
    assert (values < 100).mean() > 0.002  # dark text


def test_annotated_copy_carries_title_as_of_source_and_marking(bar_figure):
    before = bar_figure.to_json()
    out = images.annotated(
        bar_figure, title="图一", as_of="数据截至2025年7月", source="来源：测试", marking="公开"
    )
    assert out.layout.title.text == "图一"
    assert out.layout.title.subtitle.text == "数据截至2025年7月"
    texts = [a.text for a in out.layout.annotations]
    assert "来源：测试" in texts
    assert any("公开" in t for t in texts)
    # room for the lines is added to the figure, the plot keeps its size
    assert (
        out.layout.height - out.layout.margin.t - out.layout.margin.b
        == bar_figure.layout.height - 100 - 80
    )
    assert bar_figure.to_json() == before  # the page's figure is untouched


def test_svg_holds_the_texts_and_the_chinese_font_family(bar_figure):
    svg = images.chart_svg(bar_figure, as_of="数据截至2025年7月", marking="内部").decode("utf-8")
    assert svg.lstrip().startswith("<svg")
    for text in ("各部门预算执行率", "数据截至2025年7月", "来源：预算绩效看板", "内部", "区教育局"):
        assert text in svg
    assert "Noto Sans CJK SC" in svg


def test_exported_figures_set_their_template_even_after_importing_streamlit():
    import streamlit  # noqa: F401  (changes plotly's default template)

    assert pio.templates.default != "plotly_white"
    out = images.export_figure(go.Figure(go.Bar(x=[1], y=[1])))
    assert out.layout.template == pio.templates["plotly_white"]
    assert "CJK" in out.layout.font.family


def test_a_failed_render_says_what_is_needed(monkeypatch):
    import kaleido

    def broken(*args, **kwargs):
        raise RuntimeError("no chrome")

    monkeypatch.setattr(kaleido, "calc_fig_sync", broken)
    with pytest.raises(images.ImageExportError, match="Chromium"):
        images.render(go.Figure(), "png")
