"""The downloadable templates: one .xlsx with a sheet per kind (bold frozen header, a
comment on each header saying required/optional, type, unit and allowed values) and a 说明
sheet with the rules and an example per column; and a UTF-8-with-BOM CSV header per kind.

The examples live on the 说明 sheet, one column per row, so that sheet is never taken for a
table and a filled template imports only what the user typed."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from perfbudget.importer.columns import (
    BOOL,
    DATE,
    KIND_NAMES_ZH,
    MONEY,
    MONTH,
    NUMBER,
    QUARTER,
    TABLE_KINDS,
    TEMPLATES,
    YEAR,
    Column,
    template_header,
)

_TYPE_ZH = {
    YEAR: "年份",
    MONTH: "月份（1–12）",
    QUARTER: "季度（1–4）",
    MONEY: "金额",
    NUMBER: "数字",
    BOOL: "是/否",
    DATE: "日期",
}

EXAMPLES: dict[str, dict[str, str]] = {
    "projects": {
        "year": "2025", "project_code": "示例001", "project_name": "示例：街道绿化养护",
        "district": "示例区", "department_code": "示例D01", "department": "示例绿化市容局",
        "unit_code": "示例U01", "unit": "示例绿化管理所", "budget_type": "一般公共预算",
        "category": "运行维护类", "service_class": "绿化养护", "is_key": "是",
        "is_sensitive": "否", "department_sensitive": "否", "targets_disclosed": "是",
        "initial_budget": "1200000", "adjusted_budget": "1200000",
    },
    "execution": {
        "year": "2025", "month": "7", "quarter": "（或填 3，与月份二选一）",
        "project_code": "示例001", "fund_source": "当年财政拨款", "economic_class": "委托业务费",
        "period_spend": "80000", "cumulative_spend": "（或填 560000，与本期支出二选一）",
        "forecast_spend": "1150000",
    },
    "indicators": {
        "year": "2025", "project_code": "示例001", "level1": "产出指标", "level2": "数量指标",
        "indicator": "养护面积", "operator": "≥", "target": "375", "unit": "万平方米",
        "points": "20", "cumulative": "否", "period_target": "", "month": "8",
        "actual": "380", "reason": "", "score": "",
    },
    "costs": {
        "year": "2025", "project_code": "示例001", "cost_item": "人员成本", "amount": "450000",
        "output_quantity": "3750000", "output_unit": "平方米",
    },
    "cost_standards": {
        "year": "2025", "service_class": "绿化养护", "output_unit": "平方米",
        "standard_unit_cost": "0.32",
    },
    "rectifications": {
        "year": "2025", "project_code": "示例001", "issue": "示例：支出进度偏慢",
        "feedback_date": "2025-03-01", "done_date": "2025-03-25",
    },
    "budget_requests": {
        "year": "2026", "project_code": "示例001", "project_name": "示例：街道绿化养护",
        "department_code": "示例D01", "department": "示例绿化市容局", "unit_code": "示例U01",
        "service_class": "绿化养护", "requested_amount": "1300000",
        "planned_output_quantity": "3750000", "output_unit": "平方米", "is_new": "否",
    },
}  # fmt: skip

_ALLOWED = {
    "budget_type": '"一般公共预算,政府性基金预算,国有资本经营预算,社会保险基金预算"',
    "operator": '"≥,>,=,≤,<,定性,不适用"',
    "cost_item": '"人员成本,设施设备,运行维护,管理费用,其他"',
}


def _describe(col: Column) -> tuple[str, str]:
    need_zh = "必填" if col.required else "选填"
    need_en = "required" if col.required else "optional"
    kind_zh = _TYPE_ZH.get(col.type, "文本")
    zh = f"{need_zh}；{kind_zh}" + (f"；{col.help_zh}" if col.help_zh else "")
    en = f"{need_en}; {col.type}" + (f"; {col.help_en}" if col.help_en else "")
    return zh, en


def template_workbook_bytes() -> bytes:
    """The .xlsx template: sheets 项目, 预算执行, 绩效指标, 成本, 成本标准, 整改, 预算申请, 说明."""
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for kind in TABLE_KINDS:
        template = TEMPLATES[kind]
        ws = wb.create_sheet(KIND_NAMES_ZH[kind])
        for j, col in enumerate(template.columns, start=1):
            cell = ws.cell(row=1, column=j, value=template_header(col))
            cell.font = bold
            cell.fill = fill
            zh, en = _describe(col)
            comment = Comment(f"{zh}\n{en}", "PerfBudget")
            comment.width, comment.height = 320, 160
            cell.comment = comment
            letter = get_column_letter(j)
            ws.column_dimensions[letter].width = max(12, 2.2 * len(template_header(col)))
            allowed = _ALLOWED.get(col.key)
            if col.type == BOOL:
                allowed = '"是,否"'
            if allowed:
                validation = DataValidation(type="list", formula1=allowed, allow_blank=True,
                                            showErrorMessage=False)  # fmt: skip
                validation.add(f"{letter}2:{letter}5000")
                ws.add_data_validation(validation)
            if col.type in (YEAR, MONTH, QUARTER) or col.key.endswith("code"):
                # text format keeps codes such as 0012 as typed
                for row in range(2, 502):
                    ws.cell(row=row, column=j).number_format = "@"
        ws.freeze_panes = "A2"
    _guide_sheet(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


GUIDE_TITLE = "PerfBudget 导入模板说明 | import template guide"


def _guide_sheet(wb: Workbook) -> None:
    ws = wb.create_sheet("说明")
    ws.append([GUIDE_TITLE])
    ws["A1"].font = Font(bold=True, size=14)
    for line in (
        "每个工作表一类数据；按表头识别类型，不看工作表名。可只填部分工作表，空表不导入。",
        "One kind of data per sheet, recognised by its headers (not the sheet name). "
        "Fill only the sheets you need; empty ones are skipped.",
        "金额默认单位为元；把表头改为如“调整后预算数（万元）”，或在表头上方加一行“单位：万元”，即按万元导入。",
        "Amounts are in 元; write （万元） in a header, or a line 单位：万元 above the header, "
        "to give 万元.",
        "同一年度、期间、项目重新导入时替换原有数据（原数据保留在历史中）。",
        "Re-importing the same year, period and project replaces it (the old rows are kept "
        "in the history).",
        "下表示例仅供参考，请勿复制到数据工作表中的示例编码（示例001）。",
        "The examples below are only illustrations (project code 示例001).",
    ):
        ws.append([line])
    ws.append([])
    header = ["工作表 sheet", "列名 column", "必填 required", "说明 description", "示例 example"]
    for kind in TABLE_KINDS:
        ws.append(header)
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for col in TEMPLATES[kind].columns:
            zh, en = _describe(col)
            ws.append([
                KIND_NAMES_ZH[kind], template_header(col), "必填" if col.required else "选填",
                f"{zh} | {en}", EXAMPLES[kind].get(col.key, ""),
            ])  # fmt: skip
        ws.append([])
    for letter, width in zip("ABCDE", (12, 22, 12, 90, 28), strict=True):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=10):
        row[3].alignment = Alignment(wrap_text=True)


def template_csv_bytes(kind: str) -> bytes:
    """The header row of one kind as CSV, UTF-8 with BOM (Excel opens it correctly)."""
    if kind not in TEMPLATES:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(TABLE_KINDS)}")
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(
        [template_header(c) for c in TEMPLATES[kind].columns]
    )
    return out.getvalue().encode("utf-8-sig")
