"""One palette: the charts, the deck and the workbook draw a light in the same colour, the one
perfbudget.palette defines, and no module below the UI writes a colour of its own."""

from __future__ import annotations

import re
from pathlib import Path

from pptx.dml.color import RGBColor

from perfbudget import charts, palette, vocab
from perfbudget.export import images, pptx, xlsx

ROOT = Path(__file__).resolve().parent.parent
HEX = re.compile(r"#[0-9a-fA-F]{6}\b|RGBColor\(0x|start_color=\"")


def test_every_light_has_a_mark_a_fill_an_ink_and_a_badge():
    for colours in (palette.LIGHT, palette.LIGHT_FILL, palette.LIGHT_INK, palette.LIGHT_BADGE):
        assert tuple(colours) == vocab.LIGHTS


def test_the_deck_fills_a_red_cell_as_the_pages_do():
    assert pptx.LIGHT_FILLS["red"] == RGBColor(0xFD, 0xE2, 0xE1)
    assert pptx.LIGHT_INK["red"] == RGBColor(0xA6, 0x1B, 0x1B)
    assert palette.css_cell("red") == "background-color: #fde2e1; color: #a61b1b; font-weight: 600"
    assert palette.css_cell("grey") == "background-color: #eeeeee; color: #555555"
    assert RGBColor(0x1F, 0x4E, 0x79) == pptx.NAVY
    assert palette.RATE == "#1f4e79"


def test_the_workbook_fills_rows_with_excels_own_colours():
    assert xlsx.SEVERITY_FILLS["red"].start_color.rgb == "00FFC7CE"
    assert xlsx.SEVERITY_FILLS["yellow"].start_color.rgb == "00FFEB9C"
    assert xlsx.SEVERITY_FILLS["blue"].start_color.rgb == "00BDD7EE"
    assert xlsx.HEADER_FILL.start_color.rgb == "00D9E1F2"


def test_charts_and_images_read_the_palette():
    assert charts.LIGHT_COLOURS is palette.LIGHT
    assert charts.QUADRANT_COLOURS["both_behind"] == palette.LIGHT["red"] == "#d62728"
    assert charts.GRADE_COLOURS["优"] == palette.LIGHT["green"]
    assert images.MARKING_COLOURS["Internal"] == images.MARKING_COLOURS["内部"] == "#b3261e"


def test_hex6_is_what_openpyxl_and_pptx_take():
    assert palette.hex6("#d9e1f2") == "D9E1F2"


def test_no_colour_is_written_outside_the_palette():
    paths = [
        p
        for p in (*ROOT.glob("perfbudget/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py")
        if p.name != "palette.py"
    ]
    found = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in paths
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if HEX.search(line)
    ]
    assert not found, found
