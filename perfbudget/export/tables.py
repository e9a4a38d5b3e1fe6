"""The CLI's reports (perfbudget.reports.REPORTS) as formatted Excel tables: Chinese headers,
money in 万元, rates as percentages, rows filled by their light or severity, and a title line
carrying the marking (内部 / 公开)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from perfbudget import flags as flags_module
from perfbudget.export.xlsx import Column, Kind, Sheet, dataframe_to_xlsx, sheets_to_xlsx

HEADERS: dict[str, str] = {
    "project_code": "项目编码",
    "project_name": "项目名称",
    "department_code": "主管部门编码",
    "department": "主管部门",
    "adjusted_budget_yuan": "调整后预算数（万元）",
    "spent_yuan": "累计支出（万元）",
    "execution_rate": "执行率",
    "time_progress": "序时进度",
    "pace": "进度比",
    "gap_pp": "进度差（百分点）",
    "indicator": "三级指标",
    "level1": "一级指标",
    "level2": "二级指标",
    "operator": "计算符号",
    "target": "年度指标值",
    "actual": "实际完成值",
    "attainment": "完成率",
    "progress": "序时完成进度",
    "light": "指标灯",
    "rule": "预警规则",
    "severity": "等级",
    "value": "指标值",
    "threshold": "阈值",
    "message": "预警说明",
    "execution_score": "执行率得分",
    "indicator_score": "指标得分",
    "total_score": "复核总分",
    "grade": "复核等级",
    "claimed_total_score": "自评总分",
    "claimed_grade": "自评等级",
    "is_over_scored": "自评偏高",
    "score_difference": "自评与复核之差",
    "curve_source": "支出曲线来源",
    "curve_years": "曲线年份",
    "typical_share": "历年同期支出占比",
    "forecast_spend_yuan": "预计全年支出（万元）",
    "forecast_execution_rate": "预计年末执行率",
    "forecast_balance_rate": "预计结余率",
    "is_flagged": "是否预警",
    "issue": "问题",
    "feedback_date": "反馈日期",
    "due_date": "整改期限",
    "done_date": "完成日期",
    "status": "状态",
    "days_open": "已用天数",
    "days_overdue": "逾期天数",
    "project_count": "项目数",
    "large_project_count": "500万元以上项目数",
    "large_undisclosed_count": "500万元以上未公开数",
    "disclosed_budget_yuan": "已公开项目预算（万元）",
    "total_budget_yuan": "非涉密项目预算（万元）",
    "coverage": "公开覆盖率",
    "meets_coverage": "覆盖率达标",
    "rank": "排名",
    "score": "考核得分",
    "execution_part": "执行进度",
    "targets_part": "目标完成",
    "selfeval_part": "自评质量",
    "rectification_part": "整改按时",
    "disclosure_part": "信息公开",
    "missing_indicator_count": "缺年末完成值的指标数",
    "actual_month": "完成值所属月份",
    "is_reported": "已填报",
    "service_class": "一类事",
    "output_unit": "产出单位",
    "total_cost_yuan": "总成本（万元）",
    "output_quantity": "产出数量",
    "unit_cost_yuan": "单位成本（元）",
    "reference_unit_cost_yuan": "参照单位成本（元）",
    "reference_basis": "参照依据",
    "deviation": "偏离",
    "is_outlier": "异常值",
    "excluded_reason": "未参与比较原因",
    "suggested_deviation": "偏离建议标准",
    "median_unit_cost_yuan": "单位成本中位数（元）",
    "p25_unit_cost_yuan": "P25（元）",
    "p75_unit_cost_yuan": "P75（元）",
    "standard_unit_cost_yuan": "成本定额标准（元）",
    "suggested_standard_yuan": "建议成本标准（元）",
    "meeting_suggested_count": "达到建议标准项目数",
    "outlier_count": "异常值个数",
    "previous_median_unit_cost_yuan": "上年中位数（元）",
    "level": "评价层级",
    "code": "编码",
    "name": "名称",
    "year": "年度",
    "initial_budget_yuan": "年初预算数（万元）",
    "outturn_yuan": "决算支出（万元）",
    "outturn_ratio": "决算÷年初预算",
    "pi1_score": "PI-1评分",
    "pi2_variance": "支出结构偏差",
    "pi2_score": "PI-2评分",
    "pi1_year_grade": "PI-1当年等级",
    "pi2_year_grade": "PI-2当年等级",
    "deviation_yuan": "偏差合计（万元）",
    "sub_head_count": "下属单元数",
    "year_count": "年度数",
    "requested_amount_yuan": "申请金额（万元）",
    "planned_output_quantity": "计划产出数量",
    "requested_unit_cost_yuan": "申请单位成本（元）",
    "cost_cap_yuan": "按成本核定（万元）",
    "result_cap_yuan": "按上年结余核定（万元）",
    "suggested_amount_yuan": "建议安排金额（万元）",
    "reasons": "审核意见",
    "reasons_en": "审核意见（英文）",
    "is_new": "是否新增项目",
    "reference_year": "参照年度",
    "reference_deviation": "高于参照",
    "previous_project_code": "上年项目编码",
    "previous_spent_yuan": "上年支出（万元）",
    "previous_execution_rate": "上年执行率",
    "previous_balance_rate": "上年结转结余率",
}
SEVERITY_LABELS = {
    "red": "红色",
    "yellow": "黄色",
    "blue": "蓝色",
    "green": "绿色",
    "grey": "未报送",
}
# where a report's column means something else than in HEADERS: the execution report's light
# is the project's (the worst of its performance flags), not an indicator's
REPORT_HEADERS: dict[str, dict[str, str]] = {
    "execution": {"light": "项目灯"},
    "budget_review": {"grade": "上年自评等级"},
}
# where a column's name does not tell its kind: the PEFA scores are letters (A–D, —), not numbers
REPORT_KINDS: dict[str, dict[str, Kind]] = {
    "pefa": {
        "pi1_score": "text",
        "pi2_score": "text",
        "outturn_ratio": "rate",
        "pi2_variance": "rate",
        "year": "integer",
    }
}
_RATES = ("rate", "progress", "attainment", "share", "coverage", "_part", "deviation")
_NUMBERS = ("score", "pace", "value", "threshold", "difference", "quantity")
_INTEGERS = ("_count", "rank", "days_", "curve_years")


def kind_of(column: str) -> Kind:
    """How a report column is written, from its name (the queries' naming rules: units in
    names)."""
    if column.endswith(("unit_cost_yuan", "standard_yuan")):
        return "number"  # 元 per output unit (8.20元/平方米): in 万元 it would read 0.00
    if column.endswith("_yuan"):
        return "wan"
    if column.endswith("_pp"):
        return "pp"
    if column.endswith("_date"):
        return "date"
    if (
        column in ("rank", "curve_years", "actual_month")
        or column.endswith("_count")
        or column.startswith("days_")
    ):
        return "integer"
    if column.endswith(_RATES) or column in ("attainment", "progress", "coverage"):
        return "rate"
    if column.endswith(_NUMBERS):
        return "number"
    return "text"


def report_xlsx(
    name: str,
    frame: pd.DataFrame,
    columns: tuple[str, ...],
    *,
    title: str,
    marking: str,
    cover: list[str],
) -> bytes:
    """A report's rows as a formatted workbook; rows filled by their severity or light."""
    out = frame.reindex(columns=list(columns)).copy()
    severity_key = None
    for source in ("severity", "light"):
        if source in frame:
            out["_severity"] = frame[source].to_numpy()
            severity_key = "_severity"
            if source in out:
                out[source] = [SEVERITY_LABELS.get(v, v) for v in frame[source]]
            if name == "execution" and source == "light":
                # grey on a project that did report: a zero budget, nothing to judge
                out[source] = [
                    "无可评数据" if v == "grey" and bool(r) else label
                    for v, r, label in zip(
                        frame[source], frame["is_reported"], out[source], strict=True
                    )
                ]
            break
    for column in columns:
        if out[column].dtype == bool or column.startswith("is_") or column.startswith("meets_"):
            out[column] = [
                None if v is None or v != v else ("是" if v else "否") for v in out[column]
            ]
    headers = {**HEADERS, **REPORT_HEADERS.get(name, {})}
    kinds = REPORT_KINDS.get(name, {})
    specs = [
        Column(
            c,
            headers.get(c, c),
            kinds.get(c) or ("text" if c.startswith(("is_", "meets_")) else kind_of(c)),
        )
        for c in columns
    ]
    sheet = Sheet(name, out, specs, severity_key=severity_key, title=title)
    return sheets_to_xlsx([sheet], cover=cover, marking=marking)


BASIS_LABELS = {"standard": "成本定额标准", "suggested": "建议成本标准", "median": "同类中位数",
                "none": "无参照"}  # fmt: skip


def _cut(suggested: Any, requested: Any) -> bool:
    """Whether the suggested amount is below the request (both present; NaN is not)."""
    return (
        suggested is not None
        and suggested == suggested
        and requested is not None
        and suggested < requested
    )


def budget_review_xlsx(
    review: pd.DataFrame, totals: pd.DataFrame, year: int, scope_label: str, lang: str = "zh"
) -> bytes:
    """The budget request review (perfbudget.budget_review) as the workbook the bureau sends
    back to the departments: a cover, the requests with their caps, suggested amount and
    审核意见 (rows with a cut filled yellow), and the totals by department. lang "en": the
    same workbook with English headers, sheet names, cover and reasons (perfbudget.i18n)."""
    if lang != "zh":
        return _budget_review_xlsx_translated(review, totals, year, scope_label, lang)
    frame = review.copy()
    frame["basis_zh"] = [BASIS_LABELS.get(b, b) for b in frame["reference_basis"]]
    frame["_fill"] = [
        "yellow" if _cut(s, r) else None
        for s, r in zip(frame["suggested_amount_yuan"], frame["requested_amount_yuan"], strict=True)
    ]
    frame["is_new_zh"] = [
        None if v is None or v != v else ("是" if v else "否") for v in frame["is_new"]
    ]
    columns = [
        Column("department_code", "主管部门编码"),
        Column("department", "主管部门", width=18),
        Column("project_code", "项目编码"),
        Column("project_name", "项目名称", width=24),
        Column("is_new_zh", "是否新增项目"),
        Column("service_class", "一类事"),
        Column("output_unit", "产出单位"),
        Column("requested_amount_yuan", "申请金额（万元）", "wan"),
        Column("planned_output_quantity", "计划产出数量", "number"),
        Column("requested_unit_cost_yuan", "申请单位成本（元）", "number"),
        Column("reference_unit_cost_yuan", "参照单位成本（元）", "number"),
        Column("basis_zh", "参照依据"),
        Column("reference_deviation", "高于参照", "rate"),
        Column("cost_cap_yuan", "按成本核定（万元）", "wan"),
        Column("previous_spent_yuan", "上年支出（万元）", "wan"),
        Column("previous_balance_rate", "上年结转结余率", "rate"),
        Column("result_cap_yuan", "按上年结余核定（万元）", "wan"),
        Column("grade", "上年自评等级"),
        Column("suggested_amount_yuan", "建议安排金额（万元）", "wan"),
        Column("reasons", "审核意见", width=70),
    ]
    total_columns = [
        Column("department_code", "主管部门编码"),
        Column("department", "主管部门", width=18),
        Column("request_count", "申请项目数", "integer"),
        Column("requested_amount_yuan", "申请金额（万元）", "wan"),
        Column("suggested_amount_yuan", "建议安排金额（万元）", "wan"),
        Column("difference_yuan", "核减金额（万元）", "wan"),
    ]
    title = f"{year}年预算申请评审（预算安排核成本）"
    cover = [title, f"范围：{scope_label}",
             "建议安排金额 = 申请金额与各项适用核定上限中的最低者；按成本核定 = 参照单位成本 × 计划产出数量"
             "（申请单位成本高于参照超过预警线时）；按上年结余核定 = 上年实际支出（上年结转结余率达到红线时）。",
             "黄色行为建议核减的申请。"]  # fmt: skip
    return sheets_to_xlsx([Sheet("预算评审", frame, columns, severity_key="_fill", title=title),
                           Sheet("部门汇总", totals, total_columns, title=f"{year}年预算申请部门汇总")],
                          cover=cover)  # fmt: skip


def _budget_review_xlsx_translated(
    review: pd.DataFrame, totals: pd.DataFrame, year: int, scope_label: str, lang: str
) -> bytes:
    """budget_review_xlsx in another language: the columns of the Chinese workbook, in its
    order, headed by the 预算评审 page's own i18n keys."""
    # the catalogue of the page's words: loaded only when an English workbook is made
    from perfbudget.i18n import t

    frame = review.copy()
    frame["basis_text"] = [t(f"breq_basis_{b}", lang) for b in frame["reference_basis"]]
    frame["_fill"] = [
        "yellow" if _cut(s, r) else None
        for s, r in zip(frame["suggested_amount_yuan"], frame["requested_amount_yuan"], strict=True)
    ]
    frame["is_new_text"] = [
        None if v is None or v != v else t("yes" if v else "no", lang) for v in frame["is_new"]
    ]
    columns = [
        Column("department_code", t("col_department_code", lang)),
        Column("department", t("col_department", lang), width=18),
        Column("project_code", t("col_project_code", lang)),
        Column("project_name", t("col_project", lang), width=24),
        Column("is_new_text", t("breq_xlsx_col_new", lang)),
        Column("service_class", t("costs_col_class", lang)),
        Column("output_unit", t("costs_col_output_unit", lang)),
        Column("requested_amount_yuan", t("col_requested_wan", lang), "wan"),
        Column("planned_output_quantity", t("col_planned_quantity", lang), "number"),
        Column("requested_unit_cost_yuan", t("col_requested_unit_cost", lang), "number"),
        Column("reference_unit_cost_yuan", t("col_reference_unit_cost", lang), "number"),
        Column("basis_text", t("col_reference_basis", lang)),
        Column("reference_deviation", t("breq_xlsx_col_above", lang), "rate"),
        Column("cost_cap_yuan", t("col_cost_cap_wan", lang), "wan"),
        Column("previous_spent_yuan", t("col_previous_spent_wan", lang), "wan"),
        Column("previous_balance_rate", t("col_previous_balance", lang), "rate"),
        Column("result_cap_yuan", t("col_result_cap_wan", lang), "wan"),
        Column("grade", t("col_last_grade", lang)),
        Column("suggested_amount_yuan", t("col_suggested_wan", lang), "wan"),
        Column("reasons_en", t("col_review_reasons", lang), width=70),
    ]
    total_columns = [
        Column("department_code", t("col_department_code", lang)),
        Column("department", t("col_department", lang), width=18),
        Column("request_count", t("col_projects", lang), "integer"),
        Column("requested_amount_yuan", t("col_requested_wan", lang), "wan"),
        Column("suggested_amount_yuan", t("col_suggested_wan", lang), "wan"),
        Column("difference_yuan", t("col_cut_wan", lang), "wan"),
    ]
    title = t("breq_xlsx_title", lang, year=year)
    cover = [
        title,
        t("breq_xlsx_scope", lang, scope=scope_label),
        t("breq_xlsx_rule", lang),
        t("breq_xlsx_yellow", lang),
    ]
    sheets = [
        Sheet(t("breq_xlsx_sheet", lang), frame, columns, severity_key="_fill", title=title),
        Sheet(
            t("breq_xlsx_totals_sheet", lang),
            totals,
            total_columns,
            title=t("breq_xlsx_totals_title", lang, year=year),
        ),
    ]
    return sheets_to_xlsx(sheets, cover=cover, cover_name=t("breq_xlsx_cover", lang))


def warning_xlsx(flags: pd.DataFrame) -> bytes:
    """The warning flags as a formatted workbook with Chinese headers and sentences, rows
    filled by severity: the warnings page's download."""
    frame = flags_module.with_messages(flags)
    frame["severity_zh"] = [flags_module.SEVERITY_LABELS["zh"].get(s, s) for s in frame["severity"]]
    # 指标值 mixes rates, percentage points, days and 元: say which beside it
    frame["value_unit"] = [
        flags_module.value_unit(r, s, v)
        for r, s, v in zip(frame["rule"], frame["sub_rules"], frame["value"], strict=True)
    ]
    for column in ("adjusted_budget_yuan", "spent_yuan", "execution_rate", "gap_pp"):
        if column not in frame:
            frame[column] = None
    columns = [
        Column("severity_zh", "等级"),
        Column("project_code", "项目编码"),
        Column("project_name", "项目名称", width=24),
        Column("department_code", "主管部门编码"),
        Column("department", "主管部门", width=20),
        Column("rule_label", "预警规则"),
        Column("message", "预警说明", width=60),
        Column("value", "指标值", "number"),
        Column("threshold", "阈值", "number"),
        Column("value_unit", "单位（指标值、阈值）", width=16),
        Column("adjusted_budget_yuan", "调整后预算数（万元）", "wan"),
        Column("spent_yuan", "累计支出（万元）", "wan"),
        Column("execution_rate", "执行率", "rate"),
        Column("gap_pp", "进度差（百分点）", "pp"),
        Column("as_of_month", "截至月份", "integer"),
    ]
    if "followup_status" in frame:  # data.with_followup: how long, and what a leader did
        columns += [
            Column("months_flagged", "连续预警月数", "integer"),
            Column("followup_status", "跟进状态"),
            Column("followup_note", "跟进说明", width=30),
        ]
    return dataframe_to_xlsx(frame, columns, sheet_name="预警", severity_key="severity")
