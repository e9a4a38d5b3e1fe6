"""Codes as text on a page: labels in the chosen language (lights, severities, rules,
follow-ups), numbers as the table columns show them."""

from __future__ import annotations

from perfbudget import formatting as fmt
from perfbudget import vocab
from perfbudget.flags import RULES_BY_ID, flag_counts
from perfbudget.i18n import selfeval_status_text
from perfbudget.ui.markdown import md_text
from perfbudget.ui.session import lang, tr

# --- labels of codes, in the chosen language --------------------------------------------


def light_label(light: object) -> str:
    """红灯 / Red … for a light code; grey (or nothing) reads as 未报送 / Not reported."""
    return tr(vocab.light_key(light))


def severity_label(severity: object) -> str:
    return tr(vocab.severity_key(severity)) if severity in vocab.SEVERITIES else str(severity)


def grade_label(grade: object) -> str:
    """优/良/中/差 (stored in Chinese) in the current language (Excellent … Poor); — for none;
    anything else as it is."""
    if not isinstance(grade, str):
        return fmt.EMPTY
    return tr(vocab.grade_key(grade)) if grade in vocab.GRADE_KEYS else grade


def rule_label(rule_id: object) -> str:
    """The warning rule's name in the current language (支出进度偏慢 / Slow spending)."""
    rule = RULES_BY_ID.get(str(rule_id))
    if rule is None:
        return str(rule_id)
    return rule.label_zh if lang() == "zh" else rule.label_en


def selfeval_status(status: object, missing: object) -> str:
    """不完整（n项指标缺年末完成值） / 无自评 / 完整 in the chosen language."""
    return selfeval_status_text(status, missing, lang())


def followup_status_label(status: object) -> str:
    """已关注 / 已处理 (stored in Chinese) in the current language; — for none."""
    labels = {"已关注": tr("followup_noted"), "已处理": tr("followup_handled")}
    return labels.get(status, fmt.EMPTY) if isinstance(status, str) else fmt.EMPTY


def since_label(since_month: float | None, months_flagged: float) -> str:
    """自3月起连续5个月 / since month 3 (5 months); — when unknown."""
    if since_month is None or since_month != since_month:
        return fmt.EMPTY
    return tr("since_label", m=int(since_month), n=int(months_flagged))


def flag_count_line(flags) -> str:
    """共N条 = 红色预警 + 黄色预警 + 蓝色提示 + 数据质量提示 of the flags given (flags.flag_counts)."""
    counts = flag_counts(flags)
    return tr(
        "warning_counts",
        n=counts.total,
        red=counts.red,
        yellow=counts.yellow,
        blue=counts.blue,
        dq=counts.data_quality,
    )


def flag_subject(row) -> str:
    """Who a flag is about, as Markdown: '**项目编码 项目名称** · 部门', or the department for a
    department flag; the names as text (md_text)."""
    code, name = getattr(row, "project_code", None), getattr(row, "project_name", None)
    department = getattr(row, "department", None)
    department = department if isinstance(department, str) else ""
    if isinstance(code, str) and code:
        name = name if isinstance(name, str) else ""
        return f"**{md_text(code)} {md_text(name)}** · {md_text(department)}"
    return f"**{md_text(department)}**"


# --- numbers as a table column shows them -----------------------------------------------


def wan_value(amount_yuan: object) -> float | None:
    """An exact 元 amount as 万元 rounded half up to 2 decimals, as the number a table column
    shows with '%,.2f' (the float nearest a 2-decimal value prints as that value)."""
    amount = fmt.to_decimal(amount_yuan)
    return None if amount is None else float(fmt.half_up(amount / fmt.YUAN_PER_WAN, 2))


def pct_value(rate: object, digits: int = 1) -> float | None:
    """A fraction as percent, rounded half up: 0.4215 → 42.2 (shown with '%.1f%%')."""
    value = fmt.to_decimal(rate)
    return None if value is None else float(fmt.half_up(value * 100, digits))


def round_value(value: object, digits: int = 1) -> float | None:
    """A figure rounded half up (gap in pp, pace) for a number column."""
    number = fmt.to_decimal(value)
    return None if number is None else float(fmt.half_up(number, digits))


def cell_text(value: object) -> str:
    return value if isinstance(value, str) and value.strip() else fmt.EMPTY


def older_month(actual_month: float | None, month: int | None) -> int | None:
    """The month a figure rests on when it is older than the as-of month (an indicator reported
    quarterly stands on its latest actual), else None."""
    if month is None or actual_month is None or actual_month != actual_month:
        return None
    return int(actual_month) if int(actual_month) < month else None
