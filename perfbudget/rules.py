"""Defaults of the warning rules and settings (domain.md, "Warning rules").

They are seeded into the database's `thresholds` table, which is what the queries read, so a
bureau can change them and every flag reports the value it was judged against."""

from __future__ import annotations

from decimal import Decimal

# (rule_id, name, value, description)
DEFAULT_THRESHOLDS: tuple[tuple[str, str, Decimal, str], ...] = (
    ("general", "first_warning_month", Decimal("3"), "进度类预警自该月起生效（1、2月数据噪声大）"),
    ("slow_spending", "pace_yellow_below", Decimal("0.8"), "进度比 R < 该值为黄色"),
    ("slow_spending", "pace_red_below", Decimal("0.6"), "进度比 R < 该值为红色"),
    ("slow_spending", "large_budget_yuan", Decimal("10000000"), "大额项目：调整后预算数 ≥ 该值（元）"),
    ("slow_spending", "large_gap_red_pp", Decimal("-20"), "大额项目进度差 ≤ 该值（百分点）为红色"),
    ("large_balance", "yellow_at", Decimal("0.10"), "预计结余率 ≥ 该值为黄色"),
    ("large_balance", "red_at", Decimal("0.20"), "预计结余率 ≥ 该值为红色"),
    ("over_budget", "yellow_above", Decimal("1.0"), "执行率 > 该值为黄色"),
    ("over_budget", "red_above", Decimal("1.1"), "执行率 > 该值为红色"),
    ("cost_above_reference", "yellow_above", Decimal("0.1"), "单位成本偏离 > 该值为黄色"),
    ("cost_above_reference", "red_above", Decimal("0.2"), "单位成本偏离 > 该值为红色"),
    ("cost_above_reference", "min_peers", Decimal("3"), "同类比较至少需要的项目数"),
    ("spend_output_mismatch", "yellow_at", Decimal("0.2"), "|R − 产出进度| ≥ 该值为黄色"),
    ("spend_output_mismatch", "red_at", Decimal("0.35"), "|R − 产出进度| ≥ 该值为红色"),
    ("indicator_behind", "yellow_below", Decimal("0.8"), "指标序时进度 v < 该值为黄色"),
    ("indicator_behind", "red_below", Decimal("0.6"), "指标序时进度 v < 该值为红色"),
    ("indicator_behind", "blue_at", Decimal("1.2"), "v ≥ 该值为蓝色（超前过多，核实真实性）"),
    ("target_not_met", "yellow_below", Decimal("0.8"), "年末完成率 a < 该值为黄色"),
    ("target_not_met", "red_below", Decimal("0.6"), "年末完成率 a < 该值为红色"),
    ("target_not_met", "blue_at", Decimal("1.3"), "a ≥ 该值为蓝色（目标可能偏低）"),
    ("rectification_overdue", "due_days", Decimal("30"), "反馈后应在该天数内完成整改"),
    ("rectification_overdue", "red_after_days", Decimal("30"), "逾期超过该天数为红色"),
    ("disclosure_gap", "min_budget_yuan", Decimal("5000000"), "年初预算 ≥ 该值（元）的项目须公开绩效目标"),
    ("disclosure_gap", "min_coverage", Decimal("0.5"), "公开项目覆盖部门项目支出的最低比例"),
    ("forecast", "min_curve_projects", Decimal("3"), "单位历史项目少于该数时改用全区支出曲线预测"),
    # Department league table (考核): weights of its parts
    ("league", "weight_execution", Decimal("30"), "考核：预算执行进度权重"),
    ("league", "weight_targets", Decimal("30"), "考核：绩效目标完成权重"),
    ("league", "weight_selfeval", Decimal("15"), "考核：绩效自评质量权重"),
    ("league", "weight_rectification", Decimal("15"), "考核：整改按时完成权重"),
    ("league", "weight_disclosure", Decimal("10"), "考核：信息公开权重"),
    # Self-evaluation (财政部《项目支出绩效评价管理办法》2020): level weights and grade bands
    ("selfeval", "weight_execution", Decimal("10"), "预算执行率权重（分）"),
    ("selfeval", "weight_output", Decimal("50"), "产出指标权重（分）"),
    ("selfeval", "weight_benefit", Decimal("30"), "效益指标权重（分）"),
    ("selfeval", "weight_satisfaction", Decimal("10"), "满意度指标权重（分）"),
    ("selfeval", "weight_cost", Decimal("0"), "一级成本指标缺省权重（分；上海2025版以文件分值为准）"),
    ("selfeval", "grade_excellent_at", Decimal("90"), "总分 ≥ 该值为优"),
    ("selfeval", "grade_good_at", Decimal("80"), "总分 ≥ 该值为良"),
    ("selfeval", "grade_pass_at", Decimal("60"), "总分 ≥ 该值为中，低于为差"),
    # Import limits (importer/limits.py): checked before a file is parsed, CLI and web alike
    ("import", "max_file_mb", Decimal("200"), "导入文件大小上限（MB）"),
    ("import", "max_rows", Decimal("250000"), "每个工作表或CSV文件的行数上限"),
    ("import", "parse_seconds", Decimal("120"), "读取一个文件的时间上限（秒）"),
)

DEFAULT_SETTINGS: tuple[tuple[str, str], ...] = (
    ("time_progress_basis", "month"),        # month: m/12; day: days elapsed ÷ days in year
    ("lower_is_better_method", "ratio"),     # ratio: target ÷ actual; linear: 0 at 2 × target
)

SEVERITY_ORDER = {"red": 3, "yellow": 2, "blue": 1}
