"""Reading one cell: numbers, whole numbers, months and quarters, yes/no, dates, codes.

Every reader takes the cell as text (spreadsheets are read as strings so that codes keep
their leading zeros) and returns a typed value or None for a blank cell, or raises
CellError with a bilingual reason. What was tolerated on the way (full-width digits,
thousands separators, a currency sign, spaces around a code) is counted in `seen`, so the
summary can say so."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from perfbudget.importer.errors import CellError

# What a tolerated coercion is called in the notes.
FULLWIDTH = "fullwidth"
THOUSANDS = "thousands"
CURRENCY = "currency"
SPACES = "spaces"
EXCEL_SERIAL_DATE = "excel_serial_date"

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?")
_BLANK_DASHES = {"-", "--", "—", "——", "－", "/", "\\"}
# A double prints with at most 17 significant digits; a value typed by a person rarely has
# more than 15. Longer digit strings come from a float written out in full
# ("1234567890.122999907"): the shortest repr of that float is what the person typed.
_MAX_TYPED_DIGITS = 15

CENT = Decimal("0.01")
# DECIMAL(24, 6) holds 18 digits before the point; DECIMAL(18, 2) holds 16.
MAX_VALUE = Decimal(10) ** 17
MAX_MONEY = Decimal(10) ** 16


def is_blank(raw: str | None) -> bool:
    return raw is None or not raw.strip()


def clean_text(raw: str | None) -> str | None:
    """Text as written, without surrounding spaces (full-width ones too); None when blank."""
    if raw is None:
        return None
    text = raw.strip().strip("\u3000").strip()
    return text or None


def _halfwidth(text: str, seen: Counter | None) -> str:
    if any("\uff01" <= ch <= "\uff5e" or ch == "\u3000" for ch in text):
        if seen is not None:
            seen[FULLWIDTH] += 1
        text = unicodedata.normalize("NFKC", text)
    return text


def parse_code(raw: str | None, seen: Counter | None = None) -> str | None:
    """A code (project, department, unit): text, leading zeros kept, spaces around it and
    full-width digits tolerated."""
    if raw is None:
        return None
    text = raw.strip()
    if text != raw and text and seen is not None:
        seen[SPACES] += 1
    text = _halfwidth(text, seen).strip()
    return text or None


_NOT_FINITE = {"inf", "+inf", "-inf", "infinity", "-infinity", "nan", "-nan", "#num!"}


def _not_a_number(raw: str) -> CellError:
    if raw.strip().lower() in _NOT_FINITE:
        return CellError(f"「{raw.strip()}」不是有效数字（无穷大或非数值，常见于除以0的公式结果）",
                         f"'{raw.strip()}' is not a valid number (infinite or not a number, "
                         "often a formula that divided by zero)")  # fmt: skip
    return CellError(f"「{shown_number(raw)}」不是数字", f"'{shown_number(raw)}' is not a number")


def _from_digits(text: str) -> Decimal:
    value = Decimal(text)
    if len(text) > _MAX_TYPED_DIGITS and len(value.as_tuple().digits) > _MAX_TYPED_DIGITS:
        value = Decimal(repr(float(text)))
    return value


def parse_decimal(
    raw: str | None, seen: Counter | None = None, *, allow_percent: bool = False
) -> Decimal | None:
    """A number. Tolerates full-width digits, thousands separators, a leading ¥/￥, spaces,
    accounting negatives "(1,234.00)" and, where allowed, a trailing %. A lone dash is
    blank. Anything else ("约30万", "30万", "N/A") raises CellError."""
    if raw is None:
        return None
    text = raw.strip()
    if not text:
        return None
    if _PLAIN_NUMBER.fullmatch(text):
        return _in_range(_from_digits(text), raw)
    text = _halfwidth(text, seen).strip().replace("\u00a0", "")
    if text in _BLANK_DASHES:
        return None
    negative = False
    if text.startswith("(") and text.endswith(")"):
        negative, text = True, text[1:-1].strip()
    if text[:1] in ("¥", "￥", "$"):
        text = text[1:].strip()
        if seen is not None:
            seen[CURRENCY] += 1
    if allow_percent and text.endswith("%"):
        text = text[:-1].strip()
    if " " in text:
        text = text.replace(" ", "")
    if "," in text:
        if not _THOUSANDS.fullmatch(text):
            raise _not_a_number(raw)
        text = text.replace(",", "")
        if seen is not None:
            seen[THOUSANDS] += 1
    if not _PLAIN_NUMBER.fullmatch(text):
        raise _not_a_number(raw)
    try:
        value = _from_digits(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already vouched for it
        raise _not_a_number(raw) from exc
    return _in_range(-value if negative else value, raw)


def shown_number(raw: str) -> str:
    """A number as a message shows it: a float written out in 309 digits reads 1e+308."""
    text = raw.strip()
    if len(text) > 20:
        try:
            return format(float(text.replace(",", "")), ".6g")
        except ValueError:
            return text[:20] + "…"
    return text


def too_large(
    raw: str, limit: Decimal, what_zh: str = "数值", what_en: str = "the value"
) -> CellError:
    return CellError(
        f"{what_zh}「{shown_number(raw)}」过大：该列最多可存到 {limit:.0E}（绝对值）",
        f"{what_en} '{shown_number(raw)}' is too large for its column (at most {limit:.0E} in "
        "absolute value)",
    )


def _in_range(value: Decimal, raw: str) -> Decimal:
    if not value.is_finite() or abs(value) >= MAX_VALUE:
        raise too_large(raw, MAX_VALUE)
    return value


def parse_int(raw: str | None, seen: Counter | None = None, *, suffix: str = "") -> int | None:
    """A whole number, optionally followed by a suffix such as 年 or 月."""
    if raw is None:
        return None
    text = _halfwidth(raw.strip(), seen).strip()
    if suffix and text.endswith(suffix):
        text = text[: -len(suffix)].strip()
    if not text:
        return None
    try:
        value = parse_decimal(text, seen)
    except CellError:
        raise CellError(
            f"「{raw.strip()}」不是整数", f"'{raw.strip()}' is not a whole number"
        ) from None
    if value is None:
        return None
    if value != value.to_integral_value():
        raise CellError(f"「{raw.strip()}」不是整数", f"'{raw.strip()}' is not a whole number")
    return int(value)


def parse_year(raw: str | None, seen: Counter | None = None) -> int | None:
    year = parse_int(raw, seen, suffix="年")
    if year is not None and not 2000 <= year <= 2100:
        raise CellError(f"年度{year}不在2000–2100之间", f"year {year} is not between 2000 and 2100")
    return year


_YEAR_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:[-/.]\d{1,2}日?)?(?:\s.*)?")


def parse_month(raw: str | None, seen: Counter | None = None) -> int | None:
    """1–12, also written 3月, or a year and month such as 2025-03, 2025年3月 or an Excel
    date (2025-03-01 00:00:00)."""
    month: int | None
    if raw is not None and (match := _YEAR_MONTH.fullmatch(raw.strip())):
        month = int(match.group(2))
    else:
        month = parse_int(raw, seen, suffix="月")
    if month is not None and not 1 <= month <= 12:
        raise CellError(f"月份{month}不在1–12之间", f"month {month} is not between 1 and 12")
    return month


_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}
_QUARTER = re.compile(r"(?:第)?([0-9]+|[一二三四])(?:季度|季)|[Qq]([0-9]+)")


def parse_quarter(raw: str | None, seen: Counter | None = None) -> int | None:
    """1–4, also written Q3, 3季度, 第三季度."""
    if raw is None:
        return None
    text = _halfwidth(raw.strip(), seen).strip()
    if not text:
        return None
    match = _QUARTER.fullmatch(text)
    if not match:
        # a number such as "3.0"
        try:
            value = parse_int(text, seen)
        except CellError:
            raise CellError(
                f"「{raw.strip()}」不是季度（1–4）", f"'{raw.strip()}' is not a quarter (1–4)"
            ) from None
    else:
        token = match.group(1) or match.group(2)
        value = _CN_DIGITS[token] if token in _CN_DIGITS else int(token)
    if value is None:
        return None
    if not 1 <= value <= 4:
        raise CellError(f"季度{value}不在1–4之间", f"quarter {value} is not between 1 and 4")
    return value


_YES = {"是", "y", "yes", "true", "1", "√", "✓", "✔", "t"}
_NO = {"否", "n", "no", "false", "0", "×", "✗", "✘", "x", "f"}


def parse_bool(raw: str | None, seen: Counter | None = None) -> bool | None:
    """是/否, Y/N, yes/no, true/false, 1/0, √/×."""
    if raw is None:
        return None
    text = _halfwidth(raw.strip(), seen).strip().lower()
    if not text:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError(
        f"「{raw.strip()}」不是是/否（可填 是/否、Y/N、1/0、√/×）",
        f"'{raw.strip()}' is not yes/no (use 是/否, Y/N, yes/no, true/false, 1/0, √/×)",
    )


_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
# The years the data covers (as parse_year): 1900-01-01 is Excel's zero, 2999 a typo.
FIRST_DATE, LAST_DATE = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def parse_date(raw: str | None, seen: Counter | None = None) -> dt.date | None:
    """2025-03-01, 2025/3/1, 2025.3.1, 2025年3月1日, 20250301, an Excel date (read as
    "2025-03-01 00:00:00"), or an Excel serial day number (45717)."""
    if raw is None:
        return None
    text = _halfwidth(raw.strip(), seen).strip()
    if not text:
        return None
    match = _DATE.fullmatch(text)
    day = None
    bad_time = False
    try:
        if match:
            hour, minute, second = (int(g) if g else 0 for g in match.groups()[3:])
            bad_time = hour > 23 or minute > 59 or second > 59
            day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        elif re.fullmatch(r"\d{8}", text):
            day = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        elif re.fullmatch(r"\d{5}(?:\.0+)?", text):
            if seen is not None:
                seen[EXCEL_SERIAL_DATE] += 1
            day = _EXCEL_EPOCH + dt.timedelta(days=int(float(text)))
    except (ValueError, OverflowError):
        day = None
    if bad_time:
        raise CellError(f"「{raw.strip()}」的时间不存在（时应为0–23，分、秒为0–59）",
                        f"'{raw.strip()}' has a time that does not exist (hours 0–23, minutes and "
                        "seconds 0–59)")  # fmt: skip
    if day is not None:
        if not FIRST_DATE <= day <= LAST_DATE:
            zero = day.year <= 1900  # Excel shows a 0 in a date cell as 1900-01-00/01
            raise CellError(
                f"日期{day.isoformat()}不在{FIRST_DATE.year}–{LAST_DATE.year}年之间"
                + ("（1900年的日期常是 Excel 把0或空白当成了日期）" if zero else ""),
                f"the date {day.isoformat()} is not between {FIRST_DATE.year} and "
                f"{LAST_DATE.year}" + (" (a date in 1900 is often a 0 or blank that Excel "
                                       "took for a date)" if zero else ""),
            )  # fmt: skip
        return day
    raise CellError(
        f"「{raw.strip()}」不是日期（如 2025-03-01、2025/3/1、2025年3月1日）",
        f"'{raw.strip()}' is not a date (e.g. 2025-03-01, 2025/3/1, 2025年3月1日)",
    )


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """四舍五入 to the given number of decimals (not Python's half-to-even)."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
