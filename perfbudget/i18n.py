"""UI text in Chinese (default) and English. Pages ask for text by key; a missing English
string falls back to Chinese rather than failing, and a test checks both tables have the
same keys."""

from __future__ import annotations

LANGS = ("zh", "en")

TEXT: dict[str, dict[str, str]] = {
    "zh": {
        "app_title": "预算绩效看板",
        "page_overview": "总览",
        "page_execution": "预算执行",
        "page_targets": "绩效目标",
        "page_warnings": "预警",
        "page_upload": "数据导入",
        "year": "年度",
        "month": "截至月份",
        "month_n": "{m}月",
        "language": "English",
        "synthetic_badge": "演示数据（合成，非真实财政数据）",
        "no_data": "还没有数据。请到「数据导入」页下载模板、填好后上传。",
        "as_of": "数据截至 {year}年{month}月",
        "light_red": "红灯",
        "light_yellow": "黄灯",
        "light_green": "绿灯",
        "light_blue": "蓝灯",
        "light_grey": "未报送",
        "severity_red": "红色",
        "severity_yellow": "黄色",
        "severity_blue": "蓝色",
    },
    "en": {
        "app_title": "PerfBudget",
        "page_overview": "Overview",
        "page_execution": "Budget execution",
        "page_targets": "Performance targets",
        "page_warnings": "Warnings",
        "page_upload": "Data import",
        "year": "Year",
        "month": "As of month",
        "month_n": "Month {m}",
        "language": "English",
        "synthetic_badge": "Demo data (synthetic, not real fiscal data)",
        "no_data": "No data yet. Go to Data import, download the templates, fill them and upload.",
        "as_of": "Data as of {year}-{month:02d}",
        "light_red": "Red",
        "light_yellow": "Yellow",
        "light_green": "Green",
        "light_blue": "Blue",
        "light_grey": "Not reported",
        "severity_red": "Red",
        "severity_yellow": "Yellow",
        "severity_blue": "Blue",
    },
}


def t(key: str, lang: str = "zh", **values: object) -> str:
    text = TEXT.get(lang, {}).get(key) or TEXT["zh"].get(key) or key
    return text.format(**values) if values else text
