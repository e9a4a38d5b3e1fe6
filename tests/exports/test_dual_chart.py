"""One dual-monitoring chart, sized for the screen or a slide by a parameter: the same
quadrants, names, colours and cut-offs either way; only the size's look differs."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from perfbudget import charts, palette


def _frame() -> pd.DataFrame:
    # P3's pace 5.0 lies far beyond the others: a slide's axis stops short of it
    return pd.DataFrame(
        {
            "project_code": ["P1", "P2", "P3"],
            "project_name": ["甲", "乙", "丙"],
            "department": ["区教育局"] * 3,
            "adjusted_budget_yuan": [Decimal("4000000"), Decimal("1000000"), Decimal("1000000")],
            "pace": [0.5, 1.0, 5.0],
            "output_progress": [0.4, 1.0, 0.5],
            "quadrant": ["both_behind", "on_track", "spending_ahead"],
            "pace_cutoff": [0.8] * 3,
            "output_cutoff": [0.8] * 3,
        }
    )


@pytest.mark.parametrize("size", ["screen", "slide"])
def test_both_sizes_draw_the_same_quadrants_in_the_same_colours(size):
    fig = charts.dual_monitoring_chart(_frame(), "zh", size=size)
    traces = {t.name: t for t in fig.data}
    assert set(traces) == {"双双滞后", "进度与产出同步", "支出快于产出"}
    assert traces["双双滞后"].marker.color == palette.LIGHT["red"]
    assert traces["支出快于产出"].marker.color == palette.LIGHT["yellow"]
    assert traces["双双滞后"].customdata[0][0] == "P1"  # a click gives the project code
    cut_offs = [(s.x0, s.y0) for s in fig.layout.shapes]
    assert (0.8, 0) in cut_offs and (0, 0.8) in cut_offs


def test_a_slide_clips_a_far_pace_at_its_axis_and_the_screen_does_not():
    slide = {t.name: t for t in charts.dual_monitoring_chart(_frame(), "zh", size="slide").data}
    screen = {t.name: t for t in charts.dual_monitoring_chart(_frame(), "zh").data}
    # the slide's axis: min(max(1.3, 98th percentile × 1.08), 3.0) = 3.0 here
    assert slide["支出快于产出"].x == (3.0,) and slide["支出快于产出"].marker.symbol == (
        "triangle-right",
    )
    assert screen["支出快于产出"].x == (5.0,)


def test_the_size_sets_the_height_unless_given():
    assert charts.dual_monitoring_chart(_frame(), size="screen").layout.height == 560
    assert charts.dual_monitoring_chart(_frame(), size="slide").layout.height == 480
    assert charts.dual_monitoring_chart(_frame(), size="slide", height=600).layout.height == 600


def test_bubble_area_follows_the_budget():
    # screen: diameter max(8, 46 × √(budget ÷ largest)); slide: 5 + 26 × √(budget ÷ largest)
    screen = {t.name: t for t in charts.dual_monitoring_chart(_frame()).data}
    slide = {t.name: t for t in charts.dual_monitoring_chart(_frame(), size="slide").data}
    assert screen["双双滞后"].marker.size == (46.0,) and screen["进度与产出同步"].marker.size == (
        23.0,
    )
    assert slide["双双滞后"].marker.size == (31.0,) and slide["进度与产出同步"].marker.size == (
        18.0,
    )
