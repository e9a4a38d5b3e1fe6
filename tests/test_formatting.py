"""How figures are shown (perfbudget.formatting): 万元 and 亿元 with separators, rounding half
up (四舍五入) and never half-to-even, percentages, percentage points, missing values."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

from perfbudget import formatting as fmt


@pytest.mark.parametrize(
    ("yuan", "shown"),
    [
        (Decimal("1234567"), "123.46"),
        (Decimal("1234550"), "123.46"),  # 123.455 rounds up, not to even
        (Decimal("1234450"), "123.45"),  # 123.445 rounds up too
        (Decimal("12345678901.23"), "1,234,567.89"),
        (Decimal("-1234550"), "-123.46"),  # half away from zero for reversals
        (0, "0.00"),
    ],
)
def test_wan_rounds_half_up_with_thousands_separators(yuan, shown):
    assert fmt.wan(yuan) == shown


def test_money_switches_to_yi_from_one_hundred_million_yuan():
    assert fmt.money(Decimal("99999999")) == "10,000.00万元"
    assert fmt.money(Decimal("100000000")) == "1.00亿元"
    assert fmt.money(Decimal("4856123456.78")) == "48.56亿元"
    assert fmt.money(Decimal("24600000")) == "2,460.00万元"


def test_money_in_english_uses_million_and_billion_cny():
    assert fmt.money(Decimal("24600000"), lang="en") == "CNY 24.60 mn"
    assert fmt.money(Decimal("4856123456.78"), lang="en") == "CNY 4.86 bn"


@pytest.mark.parametrize(
    ("rate", "shown"),
    [
        (0.4215, "42.2%"),  # the float 0.4215 is a hair below; its decimal is not
        (0.388008, "38.8%"),
        (9545000 / 24600000, "38.8%"),
        (0.0005, "0.1%"),
        (1.15, "115.0%"),
        (Decimal("0.8"), "80.0%"),
    ],
)
def test_pct_rounds_half_up(rate, shown):
    assert fmt.pct(rate) == shown


def test_numpy_and_pandas_scalars_format_like_python_floats():
    # a row of a DataFrame hands out numpy.float64, whose repr is "np.float64(…)"
    assert fmt.pct(np.float64(0.4215)) == "42.2%"
    assert fmt.pp(np.float64(-19.53252)) == "-19.5"
    row = pd.DataFrame({"rate": [0.388008], "budget": [Decimal("24600000")]}).iloc[0]
    assert fmt.pct(row["rate"]) == "38.8%"
    assert fmt.money(row["budget"]) == "2,460.00万元"


def test_pp_carries_a_sign_and_rounds_half_up():
    assert fmt.pp(-24.55) == "-24.6"
    assert fmt.pp(28.205128) == "+28.2"
    assert fmt.pp(0) == "+0.0"


def test_ratio_and_number():
    assert fmt.ratio(0.857142857) == "0.86"
    assert fmt.ratio(0.665) == "0.67"
    assert fmt.number(Decimal("35.000000")) == "35"
    assert fmt.number(12.5) == "12.5"
    assert fmt.number(35.0) == "35"


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, np.nan, pd.NaT])
def test_missing_values_show_a_dash(missing):
    assert fmt.wan(missing) == fmt.EMPTY
    assert fmt.money(missing) == fmt.EMPTY
    assert fmt.pct(missing) == fmt.EMPTY
    assert fmt.pp(missing) == fmt.EMPTY


def test_table_numbers_are_rounded_half_up_before_the_grid_formats_them():
    # st.dataframe formats floats in the browser (JavaScript rounding); the pages hand it
    # values already rounded half up from the exact decimals.
    from perfbudget import ui

    assert ui.wan_value(Decimal("1234550")) == 123.46
    assert ui.wan_value(Decimal("12345678901.23")) == 1234567.89
    assert ui.pct_value(0.4215) == 42.2
    assert ui.pct_value(np.float64(0.388008)) == 38.8
    assert ui.round_value(-23.333333, 1) == -23.3
    assert ui.wan_value(None) is None
    assert ui.pct_value(float("nan")) is None
