"""Reading one cell: numbers as analysts type them, yes/no, months, quarters, dates, codes,
header units; and the indicator target parser."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from perfbudget.importer import cells
from perfbudget.importer.columns import read_header
from perfbudget.importer.errors import CellError
from perfbudget.importer.kinds import normalise_level, parse_target


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1234.5", Decimal("1234.5")),
        ("１２３４．５", Decimal("1234.5")),  # full-width digits
        ("1,234,567.89", Decimal("1234567.89")),  # thousands separators
        ("１，２３４", Decimal("1234")),
        (" 12 ", Decimal("12")),
        ("¥1,000", Decimal("1000")),
        ("(1,234.50)", Decimal("-1234.50")),  # accounting negative
        ("-30", Decimal("-30")),
        ("1.5E+3", Decimal("1500")),
        ("1234567890.122999907", Decimal("1234567890.123")),  # a float written out in full
        ("-", None),
        ("", None),
        (None, None),
    ],
)
def test_numbers_as_typed_are_read_exactly(raw, expected):
    assert cells.parse_decimal(raw) == expected


@pytest.mark.parametrize("raw", ["约30万", "30万", "N/A", "1,2345", "12.3.4", "一百"])
def test_non_numbers_are_refused(raw):
    with pytest.raises(CellError) as err:
        cells.parse_decimal(raw)
    assert raw in err.value.message_zh and "not a number" in err.value.message_en


def test_percent_sign_only_where_allowed():
    assert cells.parse_decimal("96%", allow_percent=True) == Decimal("96")
    with pytest.raises(CellError):
        cells.parse_decimal("96%")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("是", True), ("否", False), ("Y", True), ("n", False), ("Yes", True), ("NO", False),
     ("true", True), ("FALSE", False), ("1", True), ("0", False), ("√", True), ("×", False),
     ("", None)],
)  # fmt: skip
def test_yes_no_cells(raw, expected):
    assert cells.parse_bool(raw) is expected


def test_yes_no_refuses_other_words():
    with pytest.raises(CellError):
        cells.parse_bool("也许")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("2025-03-01", dt.date(2025, 3, 1)), ("2025/3/1", dt.date(2025, 3, 1)),
     ("2025年3月1日", dt.date(2025, 3, 1)), ("2025.3.1", dt.date(2025, 3, 1)),
     ("2025-03-01 00:00:00", dt.date(2025, 3, 1)), ("20250301", dt.date(2025, 3, 1)),
     ("45717", dt.date(2025, 3, 1))],
)  # fmt: skip
def test_dates_in_every_usual_form(raw, expected):
    assert cells.parse_date(raw) == expected


def test_impossible_dates_are_refused():
    for raw in ("2025-02-30", "next week"):
        with pytest.raises(CellError):
            cells.parse_date(raw)


def test_months_and_quarters():
    assert cells.parse_month("3月") == 3
    assert cells.parse_month("１２") == 12
    for raw, q in (("Q3", 3), ("第三季度", 3), ("4季度", 4), ("2", 2), ("2.0", 2)):
        assert cells.parse_quarter(raw) == q
    with pytest.raises(CellError, match="1–12"):
        cells.parse_month("13")
    with pytest.raises(CellError, match="1–4"):
        cells.parse_quarter("5")


def test_codes_keep_leading_zeros_and_lose_stray_spaces():
    assert cells.parse_code(" 0012 ") == "0012"
    assert cells.parse_code("００１２") == "0012"


def test_round_half_up_not_half_even():
    assert cells.round_half_up(Decimal("0.125")) == Decimal("0.13")
    assert cells.round_half_up(Decimal("0.135")) == Decimal("0.14")
    assert cells.round_half_up(Decimal("-0.125")) == Decimal("-0.13")


@pytest.mark.parametrize(
    ("text", "name", "unit"),
    [("调整后预算数（万元）", "调整后预算数", "万元"), ("金额(元)", "金额", "元"),
     ("金额【万元】", "金额", "万元"), ("调整后\n预算数 (万元)", "调整后预算数", "万元"),
     ("*项目编码", "项目编码", None), ("Adjusted_Budget", "Adjusted_Budget", None)],
)  # fmt: skip
def test_header_units_in_any_bracket(text, name, unit):
    header = read_header(text)
    assert (header.name, header.unit) == (name, unit)


def _target(op, target, unit=None, percent=False, lower=False):
    t = parse_target(op, target, unit, percent_cell=percent, lower_is_better=lower)
    return t.operator, t.value, t.text, t.unit


def test_operator_glued_to_the_target_is_split():
    assert _target(None, "≥95%") == ("≥", Decimal("95"), "≥95%", "%")
    assert _target(None, "=100%") == ("=", Decimal("100"), "=100%", "%")
    assert _target(None, ">=90%") == ("≥", Decimal("90"), ">=90%", "%")
    assert _target(None, "≤90万元") == ("≤", Decimal("90"), "≤90万元", "万元")
    assert _target(None, "≥50个") == ("≥", Decimal("50"), "≥50个", "个")
    assert _target(None, "≦3") == ("≤", Decimal("3"), "≦3", None)
    assert _target(None, "＞0") == (">", Decimal("0"), "＞0", None)


def test_operator_column_and_unit_column():
    assert _target(">=", "95", "%") == ("≥", Decimal("95"), "95", "%")
    assert _target("≧", "95", "%")[0] == "≥"
    assert _target("＜", "3", "天")[0] == "<"
    assert _target("不适用", None) == ("不适用", None, None, None)
    # the unit column wins over the glued unit; values are never converted
    assert _target("≤", "90万元", "万元") == ("≤", Decimal("90"), "90万元", "万元")


def test_qualitative_and_default_operators():
    assert _target(None, "效果明显") == ("定性", None, "效果明显", None)
    assert _target("定性", "达标") == ("定性", None, "达标", None)
    # a number with no operator: ≥, or ≤ for a cost indicator
    assert _target(None, "375万平方米")[:2] == ("≥", Decimal("375"))
    assert _target(None, "90", "万元", lower=True)[:2] == ("≤", Decimal("90"))
    # ranges and dates are not numbers
    assert _target(None, "2025年底前")[0] == "定性"


def test_percent_formatted_cell_reads_as_percent():
    assert _target("≥", "0.96", "%", percent=True) == ("≥", Decimal("96"), "96%", "%")
    assert _target("≥", "0.96", None, percent=True)[1:] == (Decimal("96"), "96%", "%")
    # the same cell with another unit is left alone
    assert _target("≥", "0.96", "个", percent=True)[1] == Decimal("0.96")


def test_bad_operators_and_targets():
    with pytest.raises(CellError, match="无法识别"):
        _target("约", "95")
    with pytest.raises(CellError, match="不是数字"):
        _target("≥", "较好")
    with pytest.raises(CellError, match="矛盾"):
        _target("≤", "≥95%")


def test_level_names_lose_their_points():
    assert normalise_level("产出指标(50分)") == "产出指标"
    assert normalise_level("效益指标（30分）") == "效益指标"
    assert normalise_level(" 数量指标 ") == "数量指标"


def test_actual_values_keep_their_text_and_a_number_where_there_is_one():
    from perfbudget.importer.kinds import _actual_value

    assert _actual_value("96%", False, "%") == (Decimal("96"), "96%")
    assert _actual_value("0.96", True, "%") == (Decimal("96"), "96%")
    assert _actual_value("380万平方米", False, "万平方米") == (Decimal("380"), "380万平方米")
    # never converted between units
    assert _actual_value("0.8亿元", False, "万元") == (None, "0.8亿元")
    assert _actual_value("基本达成", False, None) == (None, "基本达成")
