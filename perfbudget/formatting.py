"""How figures are shown: money in 万元 (亿元 for totals of 1亿元 or more), rates in percent,
always rounded half up (四舍五入), never Python's half-to-even.

Money arrives exact (decimal.Decimal, in 元). Rates arrive as floats converted from exact
decimals at the end of a query; their shortest repr is the decimal the query computed, so
rounding goes through Decimal(repr(x)) to round 0.4215 up to 42.2%, not down to 42.1%."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

YUAN_PER_WAN = Decimal(10_000)
YUAN_PER_YI = Decimal(100_000_000)
YUAN_PER_MN = Decimal(1_000_000)
EMPTY = "—"


def to_decimal(value: object) -> Decimal | None:
    """Exact Decimal of a money value or rate; None for missing (None, NaN, NA)."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return None if value.is_nan() else value
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # float() first: numpy.float64 is a float whose repr is "np.float64(…)"
        return None if math.isnan(value) else Decimal(repr(float(value)))
    try:
        if value != value:  # pandas.NA and NaT compare unequal to themselves
            return None
    except TypeError:
        return None
    return Decimal(str(value))


def half_up(value: Decimal, digits: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def _grouped(value: Decimal, digits: int) -> str:
    return f"{half_up(value, digits):,.{digits}f}"


def wan(amount_yuan: object, digits: int = 2) -> str:
    """An amount in 元 shown as 万元 with thousands separators: 1234567 → '123.46'."""
    amount = to_decimal(amount_yuan)
    return EMPTY if amount is None else _grouped(amount / YUAN_PER_WAN, digits)


def money(amount_yuan: object, digits: int = 2, lang: str = "zh") -> str:
    """An amount with its unit: 亿元 from 1亿元 up, else 万元; in English CNY mn / bn."""
    amount = to_decimal(amount_yuan)
    if amount is None:
        return EMPTY
    if lang != "zh":
        if abs(amount) >= 1000 * YUAN_PER_MN:
            return f"CNY {_grouped(amount / (1000 * YUAN_PER_MN), digits)} bn"
        return f"CNY {_grouped(amount / YUAN_PER_MN, digits)} mn"
    if abs(amount) >= YUAN_PER_YI:
        return f"{_grouped(amount / YUAN_PER_YI, digits)}亿元"
    return f"{_grouped(amount / YUAN_PER_WAN, digits)}万元"


def pct(rate: object, digits: int = 1) -> str:
    """A fraction as a percentage: 0.4215 → '42.2%'."""
    value = to_decimal(rate)
    return EMPTY if value is None else f"{half_up(value * 100, digits)}%"


def pp(gap_pp: object, digits: int = 1) -> str:
    """Percentage points with a sign: −24.55 → '-24.6'."""
    value = to_decimal(gap_pp)
    return EMPTY if value is None else f"{half_up(value, digits):+}"


def ratio(value: object, digits: int = 2) -> str:
    """A plain ratio such as the pace R: 0.857142… → '0.86'."""
    number = to_decimal(value)
    return EMPTY if number is None else f"{half_up(number, digits)}"


def number(value: object, digits: int = 2) -> str:
    """An indicator value without trailing zeros: 35.000000 → '35', 12.50 → '12.5'."""
    number_ = to_decimal(value)
    if number_ is None:
        return EMPTY
    rounded = half_up(number_, digits).normalize()
    return f"{rounded:f}"
