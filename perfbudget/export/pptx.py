"""The briefing (perfbudget.export.briefing) as a 16:9 PowerPoint deck a finance bureau can put
on screen as it is: a cover, then one slide per section with its title, a caption stating the
key figure, the chart (a PNG drawn by kaleido at the slide's size) or table, and a footer with
the as-of date, the source and the marking (内部 / 公开), which also sits in the top right
corner of every slide.

python-pptx sets only the Latin font of a run; every run here also gets its East Asian font
(<a:ea>), or PowerPoint draws Chinese in whatever it picks."""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Callable

import plotly.graph_objects as go
from pptx import Presentation
from pptx.dml.color import RGBColor
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Inches, Pt

from perfbudget import formatting as fmt
from perfbudget import palette
from perfbudget.export.briefing import Briefing, Kpi, Section, Table
from perfbudget.export.images import render
from perfbudget.export.xlsx import Column
from perfbudget.i18n import t

SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)
FONT = "Microsoft YaHei"  # 微软雅黑: on every Windows PC; elsewhere a CJK fallback (Noto)
MARGIN = Inches(0.5)
BODY_TOP = Inches(1.85)
BODY_BOTTOM = Inches(6.9)
FOOTER_TOP = Inches(7.02)
CHART_PX_PER_INCH = 84  # layout pixels per inch of slide: 13 px text ≈ 11 pt on the slide
CHART_FONT_SIZE = 15


def _rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(palette.hex6(colour))


# The deck's colours, from perfbudget.palette (the same as the charts' and the pages').
NAVY = _rgb(palette.RATE)
INK = _rgb(palette.TEXT)
GREY = _rgb(palette.FOOTER)
RULE = _rgb(palette.RULE)
WHITE = _rgb(palette.WHITE)
HEADER_FILL = _rgb(palette.HEADER_FILL)
MARKING_FILLS = {marking: _rgb(colour) for marking, colour in palette.MARKING.items()}
LIGHT_FILLS = {light: _rgb(colour) for light, colour in palette.LIGHT_FILL.items()}
LIGHT_INK = {light: _rgb(colour) for light, colour in palette.LIGHT_INK.items()}

ImageRenderer = Callable[[go.Figure, int, int], bytes]
PREFERRED_FONTS = (
    "Microsoft YaHei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "PingFang SC",
)


def briefing_pptx(
    briefing: Briefing,
    *,
    images: dict[str, bytes] | None = None,
    image: ImageRenderer | None = None,
    font: str = FONT,
) -> bytes:
    """The deck as bytes. images: the chart PNGs from chart_images() (drawn now when not
    given, with image(fig, width_px, height_px), default kaleido); font: the typeface of every
    run (微软雅黑 for the file users download; the PDF is made with a font this server has)."""
    drawn = images if images is not None else chart_images(briefing, image)
    return _Deck(briefing, drawn, font).save()


def chart_images(briefing: Briefing, image: ImageRenderer | None = None) -> dict[str, bytes]:
    """Each section's chart as a PNG at its place on the slide, by section key. Drawn once,
    they serve both the PPTX and the PDF."""
    draw = image or _chart_png
    out = {}
    for section in briefing.sections:
        if section.figure is None or (
            section.show_table_on_slide
            and section.table is not None
            and not section.figure_below_table
        ):
            continue
        top, bottom = _figure_box(section)
        width = SLIDE_WIDTH - 2 * MARGIN
        px_w = round(width / Inches(1) * CHART_PX_PER_INCH)
        px_h = round((bottom - top) / Inches(1) * CHART_PX_PER_INCH)
        out[section.key] = draw(section.figure, px_w, px_h)
    return out


def _chart_png(figure: go.Figure, width: int, height: int) -> bytes:
    fig = go.Figure(figure)
    fig.update_layout(font={"size": CHART_FONT_SIZE}, width=width, height=height)
    return render(fig, "png", width=width, height=height, scale=2)


NOTE_LINE = Inches(0.28)
KPI_HEIGHT = Inches(1.35)


def _body_box(section: Section) -> tuple[int, int]:
    """Where a section's chart or table goes: (top, bottom) in EMU, under the KPI tiles and
    above the notes."""
    top: int = BODY_TOP  # EMU; Inches is an int
    bottom: int = BODY_BOTTOM
    if section.notes:
        bottom -= NOTE_LINE * len(section.notes) + Inches(0.08)
    if section.kpis:
        top += KPI_HEIGHT + Inches(0.15)
    return top, bottom


TABLE_ABOVE_FIGURE = Inches(1.75)  # a few rows' table over a chart (figure_below_table)


def _figure_box(section: Section) -> tuple[int, int]:
    """Where a section's chart goes: the body, or under the table when the slide shows both."""
    top, bottom = _body_box(section)
    if section.figure_below_table and section.show_table_on_slide:
        top += TABLE_ABOVE_FIGURE + Inches(0.1)
    return top, bottom


def _width_units(text: str) -> int:
    """Display width: a Chinese character counts 2, a Latin one 1."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


class _Deck:
    def __init__(self, briefing: Briefing, images: dict[str, bytes], font: str) -> None:
        self.briefing = briefing
        self.images = images
        self.face = font
        self.deck = Presentation()
        self.deck.slide_width, self.deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT

    def save(self) -> bytes:
        briefing = self.briefing
        blank = self.deck.slide_layouts[6]
        total = 1 + len(briefing.sections)
        slide = self.deck.slides.add_slide(blank)
        self.cover(slide)
        self.footer(slide, 1, total)
        for number, section in enumerate(briefing.sections, start=2):
            slide = self.deck.slides.add_slide(blank)
            self.header(slide, section)
            self.body(slide, section)
            self.footer(slide, number, total)
        core = self.deck.core_properties
        core.title = briefing.title
        core.subject = f"{briefing.as_of} · {briefing.marking}"
        core.keywords = briefing.marking
        core.category = briefing.marking
        core.author = "PerfBudget 预算绩效看板"
        buffer = io.BytesIO()
        self.deck.save(buffer)
        return buffer.getvalue()

    # --- text ---------------------------------------------------------------------------

    def font(self, run, size: float, *, bold: bool = False, color: RGBColor = INK) -> None:
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.name = self.face
        run.font.color.rgb = color
        rpr = run._r.get_or_add_rPr()
        for tag in ("a:ea", "a:cs"):
            element = rpr.find(qn(tag))
            if element is None:
                element = rpr.makeelement(qn(tag), {})
                rpr.append(element)
            element.set("typeface", self.face)

    def text(
        self,
        slide,
        left,
        top,
        width,
        height,
        text: str,
        size: float,
        *,
        bold: bool = False,
        color: RGBColor = INK,
        align=PP_ALIGN.LEFT,
        anchor=MSO_ANCHOR.TOP,
    ):
        box = slide.shapes.add_textbox(left, top, width, height)
        frame = box.text_frame
        frame.word_wrap = True
        frame.auto_size = MSO_AUTO_SIZE.NONE
        frame.vertical_anchor = anchor
        frame.margin_left = frame.margin_right = Inches(0.05)
        frame.margin_top = frame.margin_bottom = Inches(0.02)
        for index, line in enumerate(text.split("\n")):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            paragraph.alignment = align
            run = paragraph.add_run()
            run.text = line
            self.font(run, size, bold=bold, color=color)
        return box

    def badge(
        self, slide, left, top, width, height, text: str, fill: RGBColor, size: float
    ) -> None:
        shape = slide.shapes.add_shape(MSO_SHAPE.ROUNDED_RECTANGLE, left, top, width, height)
        _fill(shape, fill)
        frame = shape.text_frame
        frame.margin_left = frame.margin_right = frame.margin_top = frame.margin_bottom = 0
        frame.vertical_anchor = MSO_ANCHOR.MIDDLE
        paragraph = frame.paragraphs[0]
        paragraph.alignment = PP_ALIGN.CENTER
        run = paragraph.add_run()
        run.text = text
        self.font(run, size, bold=True, color=WHITE)

    # --- slides -------------------------------------------------------------------------

    def marking(self, slide, big: bool = False) -> None:
        mark = self.briefing.marking
        fill = MARKING_FILLS.get(mark, GREY)
        if big:
            self.badge(
                slide,
                SLIDE_WIDTH - MARGIN - Inches(1.6),
                Inches(0.45),
                Inches(1.6),
                Inches(0.7),
                mark,
                fill,
                24,
            )
        else:
            self.badge(
                slide,
                SLIDE_WIDTH - MARGIN - Inches(1.0),
                Inches(0.38),
                Inches(1.0),
                Inches(0.46),
                mark,
                fill,
                16,
            )

    def cover(self, slide) -> None:
        briefing = self.briefing
        band = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, 0, Inches(2.1), SLIDE_WIDTH, Inches(2.2))
        _fill(band, NAVY)
        self.marking(slide, big=True)
        self.text(
            slide,
            Inches(0.9),
            Inches(2.3),
            Inches(11.5),
            Inches(1.0),
            briefing.title,
            40,
            bold=True,
            color=WHITE,
            anchor=MSO_ANCHOR.MIDDLE,
        )
        self.text(
            slide,
            Inches(0.9),
            Inches(3.3),
            Inches(11.5),
            Inches(0.8),
            t(
                "bf_cover_generated",
                briefing.lang,
                as_of=briefing.as_of,
                year=briefing.generated.year,
                month=briefing.generated.month,
                day=briefing.generated.day,
            ),
            20,
            color=WHITE,
            anchor=MSO_ANCHOR.MIDDLE,
        )
        lang = briefing.lang
        lines = [
            t("bf_cover_includes", lang)
            + t("bf_list_joint", lang).join(s.title for s in briefing.sections)
        ]
        lines += briefing.omitted_lines()
        lines.append(t("bf_public_line" if briefing.public else "bf_internal_line", lang))
        if briefing.is_synthetic:
            lines.append(t("bf_synthetic_line", lang))
        self.text(
            slide,
            Inches(0.9),
            Inches(4.7),
            Inches(11.5),
            Inches(2.1),
            "\n".join(lines),
            15,
            color=INK,
        )

    def header(self, slide, section: Section) -> None:
        self.text(
            slide,
            MARGIN,
            Inches(0.3),
            Inches(11.0),
            Inches(0.65),
            section.title,
            28,
            bold=True,
            color=NAVY,
            anchor=MSO_ANCHOR.MIDDLE,
        )
        self.marking(slide)
        _rule(slide, Inches(1.02), NAVY, height=Emu(19050))
        accent = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, MARGIN, Inches(1.17), Inches(0.08), Inches(0.56)
        )
        _fill(accent, ACCENT)
        # one line at 18 pt holds about 42 Chinese characters (figures and their spacing
        # included); longer captions step down so that they still fit in two lines
        units = _width_units(section.caption)
        size = 18 if units <= 84 else 16 if units <= 190 else 14
        self.text(
            slide,
            MARGIN + Inches(0.18),
            Inches(1.12),
            SLIDE_WIDTH - 2 * MARGIN - Inches(0.2),
            Inches(0.66),
            section.caption,
            size,
            bold=True,
            color=INK,
            anchor=MSO_ANCHOR.MIDDLE,
        )

    def footer(self, slide, number: int, total: int) -> None:
        briefing = self.briefing
        _rule(slide, FOOTER_TOP - Inches(0.04))
        self.text(
            slide,
            MARGIN,
            FOOTER_TOP,
            Inches(10.0),
            Inches(0.35),
            f"{briefing.as_of}　·　{briefing.source}",
            10,
            color=GREY,
        )
        self.text(
            slide,
            SLIDE_WIDTH - MARGIN - Inches(2.2),
            FOOTER_TOP,
            Inches(2.2),
            Inches(0.35),
            f"{briefing.marking}　{number} / {total}",
            10,
            bold=True,
            color=MARKING_FILLS.get(briefing.marking, GREY),
            align=PP_ALIGN.RIGHT,
        )

    def body(self, slide, section: Section) -> None:
        width = SLIDE_WIDTH - 2 * MARGIN
        top, bottom = _body_box(section)
        if section.notes:
            height = NOTE_LINE * len(section.notes)
            self.text(
                slide,
                MARGIN,
                BODY_BOTTOM - height,
                width,
                height,
                "\n".join(section.notes),
                11,
                color=GREY,
            )
        if section.kpis:
            self.kpi_tiles(slide, section.kpis, BODY_TOP)
        both = section.figure_below_table and section.key in self.images
        if section.show_table_on_slide and section.table is not None:
            self.table(slide, section.table, top, TABLE_ABOVE_FIGURE if both else bottom - top)
            if not both:
                return
        if section.key in self.images:
            top, bottom = _figure_box(section)
            slide.shapes.add_picture(
                io.BytesIO(self.images[section.key]), MARGIN, top, width=width, height=bottom - top
            )

    def kpi_tiles(self, slide, kpis: list[Kpi], top) -> None:
        count = len(kpis)
        gap = Inches(0.15)
        width = (SLIDE_WIDTH - 2 * MARGIN - gap * (count - 1)) // count
        for index, kpi in enumerate(kpis):
            left = MARGIN + index * (width + gap)
            tile = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, top, width, KPI_HEIGHT)
            _fill(tile, TILE)
            tile.line.color.rgb = RULE
            tile.line.fill.solid()
            tile.line.fill.fore_color.rgb = RULE
            if kpi.light in LIGHT_INK:
                strip = slide.shapes.add_shape(
                    MSO_SHAPE.RECTANGLE, left, top, Inches(0.07), KPI_HEIGHT
                )
                _fill(strip, LIGHT_INK[kpi.light])
            inner, inner_width = left + Inches(0.15), width - Inches(0.2)
            self.text(
                slide,
                inner,
                top + Inches(0.06),
                inner_width,
                Inches(0.3),
                kpi.label,
                12,
                color=GREY,
            )
            units = _width_units(kpi.value)  # a tile holds about 10 units at 20 pt
            size = 24 if units <= 8 else 20 if units <= 10 else 16
            colour = LIGHT_INK[kpi.light] if kpi.light in ("red", "yellow") else NAVY
            self.text(
                slide,
                inner,
                top + Inches(0.34),
                inner_width,
                Inches(0.5),
                kpi.value,
                size,
                bold=True,
                color=colour,
            )
            self.text(
                slide,
                inner,
                top + Inches(0.86),
                inner_width,
                Inches(0.46),
                kpi.note,
                10,
                color=GREY,
            )

    def table(self, slide, table: Table, top, height) -> None:
        keys = table.slide_columns or tuple(c.key for c in table.columns)
        columns = [c for k in keys for c in table.columns if c.key == k]
        width = SLIDE_WIDTH - 2 * MARGIN
        weights = [_WEIGHTS.get(c.kind, (c.width or 12) / 8) for c in columns]
        widths = [int(width * w / sum(weights)) for w in weights]
        size = 11
        line = Pt(size) * 1.35
        header_height = Inches(0.36)
        candidates = table.frame.head(table.slide_rows)
        texts = [
            [_cell_text(getattr(r, c.key), c) for c in columns]
            for r in candidates.itertuples(index=False)
        ]
        heights = [_row_height(row, widths, size, line) for row in texts]
        # as many rows as fit, worst first; the notes say where the rest are
        fitted, used = 0, int(header_height)
        for row_height in heights:
            if used + row_height > height:
                break
            used += row_height
            fitted += 1
        texts, heights = texts[:fitted], heights[:fitted]
        shape = slide.shapes.add_table(fitted + 1, len(columns), MARGIN, top, width, used)
        grid = shape.table
        for index, column_width in enumerate(widths):
            grid.columns[index].width = column_width
        grid.rows[0].height = header_height
        for col, column in enumerate(columns):
            self.cell(grid.cell(0, col), column.header, size, bold=True, fill=HEADER_FILL)
        severities = (
            table.frame[table.severity_key].head(fitted).tolist()
            if table.severity_key
            else [None] * fitted
        )
        for row_index, (row, row_height, severity) in enumerate(
            zip(texts, heights, severities, strict=True), start=1
        ):
            grid.rows[row_index].height = row_height
            light = severity if isinstance(severity, str) and severity in LIGHT_FILLS else None
            for col, (column, text) in enumerate(zip(columns, row, strict=True)):
                lit = light if col == 0 else None  # the first cell carries the row's light
                self.cell(
                    grid.cell(row_index, col),
                    text,
                    size,
                    fill=WHITE if lit is None else LIGHT_FILLS[lit],
                    color=INK if lit is None else LIGHT_INK[lit],
                    bold=lit is not None,
                    align=PP_ALIGN.LEFT if column.kind == "text" else PP_ALIGN.RIGHT,
                )

    def cell(
        self,
        cell,
        text: str,
        size: float,
        *,
        bold: bool = False,
        fill: RGBColor = WHITE,
        color: RGBColor = INK,
        align=PP_ALIGN.LEFT,
    ) -> None:
        cell.fill.solid()
        cell.fill.fore_color.rgb = fill
        cell.margin_left = cell.margin_right = CELL_PAD
        cell.margin_top = cell.margin_bottom = Inches(0.03)
        cell.vertical_anchor = MSO_ANCHOR.MIDDLE
        frame = cell.text_frame
        frame.word_wrap = True
        paragraph = frame.paragraphs[0]
        paragraph.alignment = align
        run = paragraph.add_run()
        run.text = text
        self.font(run, size, bold=bold, color=color)


CELL_PAD = Inches(0.06)
HAIRLINE = Emu(9525)  # 0.75 pt
ACCENT = _rgb(palette.ACCENT)
TILE = _rgb(palette.TILE)
# relative widths of the slide table's columns, by kind; text columns by their xlsx width
_WEIGHTS = {"wan": 1.3, "rate": 1.0, "pp": 1.0, "number": 1.1, "integer": 0.8}


def _row_height(texts: list[str], widths: list[int], size: float, line) -> int:
    """A row tall enough for its longest wrapped cell (a Chinese character is about 1 em
    wide, a Latin one half)."""
    lines = 1
    for text, width in zip(texts, widths, strict=True):
        room = max(1.0, (width - 2 * CELL_PAD) / Pt(size) * 2 * 0.97)
        lines = max(lines, math.ceil(_width_units(text) / room))
    return int(line * lines + Inches(0.1))


def _fill(shape, colour: RGBColor) -> None:
    shape.fill.solid()
    shape.fill.fore_color.rgb = colour
    shape.line.fill.background()
    shape.shadow.inherit = False


def _rule(slide, top, color: RGBColor = RULE, left=MARGIN, width=None, height=HAIRLINE) -> None:
    line = slide.shapes.add_shape(
        MSO_SHAPE.RECTANGLE, left, top, width or SLIDE_WIDTH - 2 * MARGIN, height
    )
    _fill(line, color)


def _cell_text(value: object, column: Column) -> str:
    if column.kind == "wan":
        return fmt.wan(value)
    if column.kind == "rate":
        return fmt.pct(value)
    if column.kind == "pp":
        return fmt.pp(value)
    if column.kind in ("number", "integer"):
        return fmt.number(value)
    if value is None or (isinstance(value, float) and value != value):
        return fmt.EMPTY
    return str(value)
