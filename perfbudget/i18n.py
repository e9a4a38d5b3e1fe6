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
        # --- pages (overview, execution, targets, warnings, upload) ---
        "overview_title": "预算绩效总览",
        "scope_line": "{departments}个部门 · {projects}个项目（{reported}个已报送本月支出）",
        "kpi_budget": "调整后预算",
        "kpi_spent": "已支出",
        "kpi_rate": "预算执行率",
        "kpi_gap": "进度差",
        "kpi_indicators": "指标达标率",
        "kpi_warnings": "预警",
        "kpi_time_progress": "序时进度 {tp}",
        "kpi_pace": "进度比 {r}",
        "kpi_gap_help": "执行率 − 序时进度，单位：百分点；负数表示落后",
        "kpi_indicators_help": "序时进度达到黄灯线及以上的指标 ÷ 已填报的指标（不适用的不计）",
        "kpi_indicators_detail": "{on}/{n}个指标达标",
        "kpi_warning_counts": "红{red} · 黄{yellow}",
        "kpi_warnings_value": "{n}条",
        "kpi_projects": "{n}个项目",
        "kpi_spent_share": "占预算 {rate}",
        "pp_unit": "{v}个百分点",
        "pace_light_help": (
            "进度比 = 执行率 ÷ 序时进度；红灯 < 0.6，黄灯 0.6–0.8（阈值可在规则中调整）"
        ),
        "dept_chart_title": "各部门预算执行率与序时进度",
        "trend_chart_title": "累计执行率月度走势",
        "no_departments": "本期没有可显示的部门执行数据。",
        "no_trend": "本年还没有支出数据，无法绘制月度走势。",
        "top_warnings": "最需关注的预警",
        "no_warnings": "截至本月没有触发任何预警。",
        "all_warnings_link": "查看全部预警",
        "more_warnings": "另有{n}条预警，见预警页。",
        "chart_time_progress": "序时进度",
        "chart_execution_rate": "累计执行率",
        "chart_rate_axis": "执行率",
        "chart_month_axis": "月份",
        "chart_department_axis": "部门",
        "chart_project_axis": "项目",
        "chart_indicator_count": "指标数",
        "chart_hover_spent": "已支出",
        "chart_hover_budget": "调整后预算",
        "chart_hover_gap": "进度差",
        "chart_unreported": "未报送",
        "execution_title": "预算执行",
        "execution_intro": (
            "自上而下：全区 → 部门 → 项目。点击表头可排序；在项目表中点选一行，查看该项目的月"
            "度累计支出曲线。"
        ),
        "district_heading": "全区",
        "department_heading": "部门",
        "project_heading": "项目",
        "choose_department": "选择部门",
        "all_departments": "全部部门",
        "choose_project": "选择项目查看月度曲线",
        "curve_title": "{project}：累计执行率与序时进度",
        "no_projects": "所选部门在本期没有项目。",
        "no_curve": "该项目本年还没有支出数据。",
        "col_district": "区",
        "col_department": "部门",
        "col_department_code": "部门编码",
        "col_project_code": "项目编码",
        "col_project": "项目名称",
        "col_budget_type": "预算类型",
        "col_departments": "部门数",
        "col_projects": "项目数",
        "col_budget_wan": "调整后预算（万元）",
        "col_spent_wan": "已支出（万元）",
        "col_rate": "执行率",
        "col_time_progress": "序时进度",
        "col_gap_pp": "进度差（百分点）",
        "col_pace": "进度比",
        "col_light": "灯",
        "col_last_month": "最近报送月",
        "col_reported": "本月已报送",
        "targets_title": "绩效目标",
        "targets_intro": (
            "按指标的序时进度（累计指标 = 完成值 ÷ 序时目标；其他指标 = 完成率）亮灯"
            "：红 < 60%，黄 60%–80%，蓝 ≥ 120%（超前过多，请核实）。"
        ),
        "filter_department": "部门",
        "filter_project": "项目",
        "filter_light": "灯",
        "scorecard_heading": "项目目标记分卡",
        "indicators_heading": "指标明细",
        "light_chart_title": "各项目指标灯分布",
        "no_indicators": (
            "没有符合筛选条件的绩效指标。如尚未导入指标，请到「数据导入」页上传绩效指标表。"
        ),
        "col_level1": "一级指标",
        "col_level2": "二级指标",
        "col_indicator": "三级指标",
        "col_target": "年度指标值",
        "col_actual": "实际完成值",
        "col_unit": "计量单位",
        "col_points": "分值",
        "col_attainment": "完成率",
        "col_progress": "序时进度完成",
        "col_reason": "偏差原因",
        "col_indicator_count": "指标数",
        "col_red": "红",
        "col_yellow": "黄",
        "col_green": "绿",
        "col_blue": "蓝",
        "col_grey": "未填报",
        "col_weighted_attainment": "加权完成率",
        "col_output_progress": "产出进度",
        "col_worst_light": "最差灯",
        "warnings_title": "预警",
        "warnings_intro": "每个项目每条规则一条预警，取最严重的等级；句子说明依据的数字和阈值。",
        "filter_rule": "规则",
        "filter_severity": "等级",
        "warning_counts": "共{n}条：红色{red}条，黄色{yellow}条，蓝色{blue}条",
        "no_matching_warnings": "没有符合筛选条件的预警。",
        "col_severity": "等级",
        "col_rule": "规则",
        "col_message": "预警说明",
        "col_value": "指标值",
        "col_threshold": "阈值",
        "col_as_of": "截至月份",
        "col_sensitive": "涉密",
        "download_xlsx": "下载预警表（Excel）",
        "export_sensitive_note": "导出文件不含涉密项目（本次筛选中有{n}条涉密预警未导出）。",
        "upload_title": "数据导入",
        "upload_intro": (
            "上传项目、预算执行、绩效指标、成本、成本标准、整改等表格（.xlsx、.xls "
            "或 .csv，可一次上传多个）。系统按表头识别表的种类，与工作表名称无关；金额列"
            "可在表头注明单位，如「调整后预算数（万元）」，未注明的按元计。任何一个文件有错误"
            "时，全部不写入，并逐条列出错误所在的文件、工作表、行和列。同一年度、期间和项目的"
            "数据重新导入时会替换原有数据，历史批次保留。"
        ),
        "template_heading": "下载模板",
        "template_xlsx": "下载 Excel 模板（全部表）",
        "template_csv": "{kind}（CSV）",
        "template_unavailable": "导入模块暂不可用，模板无法下载。",
        "uploader_label": "选择要导入的文件",
        "import_button": "开始导入",
        "importing": "正在导入…",
        "import_done": "导入完成。",
        "import_rejected": "导入被拒绝，没有写入任何数据。请按下表修改后重新上传（共{n}处问题）。",
        "import_failed": "导入失败，没有写入任何数据：{error}",
        "col_file": "文件",
        "col_sheet": "工作表",
        "col_row": "行",
        "col_column": "列",
        "col_problem": "问题",
        "history_heading": "导入历史",
        "no_history": "还没有导入记录。",
        "col_batch": "批次",
        "col_file_name": "文件名",
        "col_kinds": "表类型",
        "col_rows": "行数",
        "col_replaced": "替换行数",
        "col_imported_at": "导入时间",
        "col_imported_by": "导入人",
        "col_status": "状态",
        "upload_user": "看板上传",
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
        # --- pages (overview, execution, targets, warnings, upload) ---
        "overview_title": "Budget performance overview",
        "scope_line": (
            "{departments} departments · {projects} p"
            "rojects ({reported} reported this month)"
        ),
        "kpi_budget": "Adjusted budget",
        "kpi_spent": "Spent",
        "kpi_rate": "Execution rate",
        "kpi_gap": "Gap",
        "kpi_indicators": "Indicators on track",
        "kpi_warnings": "Warnings",
        "kpi_time_progress": "Time progress {tp}",
        "kpi_pace": "Pace {r}",
        "kpi_gap_help": (
            "Execution rate minus time progress, in percentage points; negative = behind"
        ),
        "kpi_indicators_help": (
            "Indicators at or above the yellow line ÷"
            " indicators with a value (not applicable"
            " excluded)"
        ),
        "kpi_indicators_detail": "{on} of {n} indicators on track",
        "kpi_warning_counts": "Red {red} · Yellow {yellow}",
        "kpi_warnings_value": "{n}",
        "kpi_projects": "{n} projects",
        "kpi_spent_share": "{rate} of budget",
        "pp_unit": "{v} pp",
        "pace_light_help": (
            "Pace = execution rate ÷ time progress; r"
            "ed < 0.6, yellow 0.6–0.8 (thresholds are"
            " configurable)"
        ),
        "dept_chart_title": "Execution rate by department against time progress",
        "trend_chart_title": "Cumulative execution rate by month",
        "no_departments": "No department execution figures for this period.",
        "no_trend": "No spending this year yet, so there is no monthly trend.",
        "top_warnings": "Warnings needing attention",
        "no_warnings": "No warnings so far this month.",
        "all_warnings_link": "All warnings",
        "more_warnings": "{n} more warnings on the Warnings page.",
        "chart_time_progress": "Time progress",
        "chart_execution_rate": "Cumulative execution rate",
        "chart_rate_axis": "Execution rate",
        "chart_month_axis": "Month",
        "chart_department_axis": "Department",
        "chart_project_axis": "Project",
        "chart_indicator_count": "Indicators",
        "chart_hover_spent": "Spent",
        "chart_hover_budget": "Adjusted budget",
        "chart_hover_gap": "Gap",
        "chart_unreported": "Not reported",
        "execution_title": "Budget execution",
        "execution_intro": (
            "Top down: district → department → projec"
            "t. Click a header to sort; select a row "
            "in the project table to see its monthly "
            "cumulative spending."
        ),
        "district_heading": "District",
        "department_heading": "Departments",
        "project_heading": "Projects",
        "choose_department": "Department",
        "all_departments": "All departments",
        "choose_project": "Project for the monthly curve",
        "curve_title": "{project}: cumulative execution against time progress",
        "no_projects": "The chosen department has no projects in this period.",
        "no_curve": "This project has no spending reported this year.",
        "col_district": "District",
        "col_department": "Department",
        "col_department_code": "Dept. code",
        "col_project_code": "Project code",
        "col_project": "Project",
        "col_budget_type": "Budget",
        "col_departments": "Departments",
        "col_projects": "Projects",
        "col_budget_wan": "Adjusted budget (10k CNY)",
        "col_spent_wan": "Spent (10k CNY)",
        "col_rate": "Execution rate",
        "col_time_progress": "Time progress",
        "col_gap_pp": "Gap (pp)",
        "col_pace": "Pace",
        "col_light": "Light",
        "col_last_month": "Last month reported",
        "col_reported": "Reported",
        "targets_title": "Performance targets",
        "targets_intro": (
            "Lights follow each indicator's in-year p"
            "rogress (cumulative indicators: value ÷ "
            "target to date; others: attainment): red"
            " < 60%, yellow 60%–80%, blue ≥ 120% (far"
            " ahead: check)."
        ),
        "filter_department": "Department",
        "filter_project": "Project",
        "filter_light": "Light",
        "scorecard_heading": "Project scorecards",
        "indicators_heading": "Indicators",
        "light_chart_title": "Indicator lights by project",
        "no_indicators": (
            "No indicators match the filters. If none were imported yet, upload the "
            "indicator table on the Data import page."
        ),
        "col_level1": "Level 1",
        "col_level2": "Level 2",
        "col_indicator": "Indicator",
        "col_target": "Target",
        "col_actual": "Actual",
        "col_unit": "Unit",
        "col_points": "Points",
        "col_attainment": "Attainment",
        "col_progress": "In-year progress",
        "col_reason": "Reason for deviation",
        "col_indicator_count": "Indicators",
        "col_red": "Red",
        "col_yellow": "Yellow",
        "col_green": "Green",
        "col_blue": "Blue",
        "col_grey": "No value",
        "col_weighted_attainment": "Weighted attainment",
        "col_output_progress": "Output progress",
        "col_worst_light": "Worst light",
        "warnings_title": "Warnings",
        "warnings_intro": (
            "One warning per project and rule, at its worst severity; the sentence gives the "
            "figures and the threshold."
        ),
        "filter_rule": "Rule",
        "filter_severity": "Severity",
        "warning_counts": "{n} in all: {red} red, {yellow} yellow, {blue} blue",
        "no_matching_warnings": "No warnings match the filters.",
        "col_severity": "Severity",
        "col_rule": "Rule",
        "col_message": "Warning",
        "col_value": "Value",
        "col_threshold": "Threshold",
        "col_as_of": "As of month",
        "col_sensitive": "Sensitive",
        "download_xlsx": "Download warnings (Excel)",
        "export_sensitive_note": (
            "The file leaves out sensitive projects ({n} sensitive warnings in this "
            "selection)."
        ),
        "upload_title": "Data import",
        "upload_intro": (
            "Upload the project, execution, indicator"
            ", cost, cost standard and rectification "
            "tables (.xlsx, .xls or .csv; several at "
            "once). The kind of table is told by its "
            "headers, not by the sheet name; an amoun"
            "t header may name its unit, e.g. 调整后预算数（"
            "万元）, else 元. If any file has an error no"
            "thing is written, and every problem is l"
            "isted with its file, sheet, row and colu"
            "mn. Re-importing the same year, period a"
            "nd project replaces the earlier figures;"
            " the history keeps every batch."
        ),
        "template_heading": "Templates",
        "template_xlsx": "Excel template (all tables)",
        "template_csv": "{kind} (CSV)",
        "template_unavailable": "The importer is not available; templates cannot be downloaded.",
        "uploader_label": "Files to import",
        "import_button": "Import",
        "importing": "Importing…",
        "import_done": "Import finished.",
        "import_rejected": (
            "Import refused; nothing was written. Fix the problems below and upload again "
            "({n} problems)."
        ),
        "import_failed": "Import failed; nothing was written: {error}",
        "col_file": "File",
        "col_sheet": "Sheet",
        "col_row": "Row",
        "col_column": "Column",
        "col_problem": "Problem",
        "history_heading": "Import history",
        "no_history": "No imports yet.",
        "col_batch": "Batch",
        "col_file_name": "File",
        "col_kinds": "Tables",
        "col_rows": "Rows",
        "col_replaced": "Replaced",
        "col_imported_at": "Imported at",
        "col_imported_by": "By",
        "col_status": "Status",
        "upload_user": "dashboard upload",
    },
}


def t(key: str, lang: str = "zh", **values: object) -> str:
    text = TEXT.get(lang, {}).get(key) or TEXT["zh"].get(key) or key
    return text.format(**values) if values else text
