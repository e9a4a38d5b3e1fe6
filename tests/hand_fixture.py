"""A district small enough to compute by hand. Year 2025; most tests look at month 7, where
time progress is 7/12 = 0.583333…

Departments: D01 教育局, D02 卫健委, D03 保密办 (a sensitive department).

| project | dept | adjusted budget | spent to July | rate | pace R = rate ÷ 7/12 | notes |
|---|---|---|---|---|---|---|
| P001 | D01 | 1,200,000 | 560,000 | 0.466667 | 0.8 exactly | not slow (0.8 is not < 0.8) |
| P002 | D01 | 1,000,000 | 350,000 (Mar 100,000 then Jul) | 0.35 | 0.6 exactly | yellow (0.6 ≤ R < 0.8) |
| P003 | D01 | 20,000,000 | 7,000,000 | 0.35 | 0.6 | yellow pace + red large gap −23.33 pp → red |
| P004 | D02 | 500,000 | 575,000 | 1.15 | 1.971429 | over_budget red (> 1.1) |
| P005 | D02 | 500,000 | 550,000 | 1.10 | 1.885714 | over_budget yellow (1.1 is ≤ 1.1) |
| P006 | D02 | 0 | 0 | empty | empty | no rate on a zero budget |
| P007 | D03 | 100,000 | 10,000 | 0.10 | 0.171429 | red, but sensitive (department) |
| P008 | D01 | 1,000,000 | 500,000 (two fund keys) | 0.50 | 0.857143 | key B carried from Feb |
| P009 | D02 | 300,000 | 0 (reported only to May) | 0 | 0 | not reported for July: no pace flag |

Indicators at July (v = in-year progress):
- P001 数量 ≥100个 cumulative, 20 pts, actual 35 → v = 35 ÷ (100 × 7/12) = 0.6 exactly → yellow;
  质量 ≥95%, 10 pts, actual 95 → v = 1. Output progress = (20×0.6 + 10×1) ÷ 30 = 0.733333;
  d = 0.8 − 0.733333 = 0.066667 → no mismatch.
- P002 时效 ≤30天, 10 pts, actual 20 → a = 1; 数量 ≥12次 with 序时目标值 7, actual 7 → v = 1;
  output progress 1, d = 0.6 − 1 = −0.4 → mismatch red (outputs ahead). 社会效益 定性
  "效果明显", actual 部分达成预期指标 → 0.7 yellow; 经济效益 ≥100, actual 130 → 1.3 blue;
  满意度 ≥90%, actual 99 → 1.1 green. Worst: yellow, 1 blue.
- P003 成本指标(level 2) ≤90万元, 10 pts, actual 100 → a = 0.9; level-1 成本指标 ≤50, 10 pts,
  actual 40 → 1; a 不适用 row. Output progress = (9 + 10) ÷ 20 = 0.95; d = 0.6 − 0.95 =
  −0.35 → mismatch red (|d| ≥ 0.35 exactly).
- P008 数量 ≥120个 cumulative, 30 pts, actual 21 → v = 21 ÷ 70 = 0.3 → red; output progress
  0.3; d = 0.857143 − 0.3 = 0.557143 → mismatch red (spending ahead).
"""

from __future__ import annotations

from decimal import Decimal

import duckdb

YEAR = 2025

DEPARTMENTS = [
    ("D01", "区教育局", "示例区", False),
    ("D02", "区卫生健康委员会", "示例区", False),
    ("D03", "区保密办", "示例区", True),
]

# code, name, dept, budget type, adjusted budget, initial budget
PROJECTS = [
    ("P001", "校舍维修", "D01", "一般公共预算", "1200000", "1200000"),
    ("P002", "课后服务购买", "D01", "一般公共预算", "1000000", "800000"),
    ("P003", "新建学校工程", "D01", "政府性基金预算", "20000000", "20000000"),
    ("P004", "社区卫生运行", "D02", "一般公共预算", "500000", "500000"),
    ("P005", "疫苗冷链维护", "D02", "一般公共预算", "500000", "500000"),
    ("P006", "预留项目", "D02", "一般公共预算", "0", "0"),
    ("P007", "保密设备维护", "D03", "一般公共预算", "100000", "100000"),
    ("P008", "教师培训", "D01", "国有资本经营预算", "1000000", "1000000"),
    ("P009", "健康宣传", "D02", "社会保险基金预算", "300000", "300000"),
]

# project, month, fund source, cumulative 元
SPENDING = [
    *[
        ("P001", m, "", v)
        for m, v in enumerate(
            ["50000", "100000", "150000", "250000", "350000", "450000", "560000"], start=1
        )
    ],
    ("P002", 3, "", "100000"),
    ("P002", 7, "", "350000"),
    ("P003", 6, "", "5000000"),
    ("P003", 7, "", "7000000"),
    ("P004", 7, "", "575000"),
    ("P005", 7, "", "550000"),
    ("P006", 7, "", "0"),
    ("P007", 7, "", "10000"),
    ("P008", 1, "当年财政拨款", "100000"),
    ("P008", 7, "当年财政拨款", "400000"),
    ("P008", 2, "上年结转", "100000"),
    ("P009", 5, "", "0"),
]

# project, level1, level2, name, operator, target value, target text, unit, points, cumulative
INDICATORS = [
    ("P001", "产出指标", "数量指标", "维修校舍数", "≥", "100", "≥100个", "个", "20", None),
    ("P001", "产出指标", "质量指标", "验收合格率", "≥", "95", "≥95%", "%", "10", None),
    ("P002", "产出指标", "时效指标", "响应时间", "≤", "30", "≤30天", "天", "10", None),
    ("P002", "产出指标", "数量指标", "服务场次", "≥", "12", "≥12次", "次", "20", None),
    (
        "P002",
        "效益指标",
        "社会效益指标",
        "学生课后安全",
        "定性",
        None,
        "效果明显",
        None,
        "20",
        None,
    ),
    (
        "P002",
        "效益指标",
        "经济效益指标",
        "节约家庭支出",
        "≥",
        "100",
        "≥100万元",
        "万元",
        "10",
        None,
    ),
    ("P002", "满意度指标", "服务对象满意度指标", "家长满意度", "≥", "90", "≥90%", "%", "10", None),
    ("P003", "产出指标", "成本指标", "单校造价", "≤", "90", "≤90万元", "万元", "10", None),
    ("P003", "成本指标", "经济成本指标", "每平方米成本", "≤", "50", "≤50元", "元", "10", None),
    ("P003", "产出指标", "质量指标", "绿色建筑认证", "不适用", None, "不适用", None, "0", None),
    ("P008", "产出指标", "数量指标", "培训人次", "≥", "120", "≥120人次", "人次", "30", None),
]

# project, name, month, actual value, actual text, period target
ACTUALS = [
    ("P001", "维修校舍数", 7, "35", None, None),
    ("P001", "验收合格率", 7, "95", None, None),
    ("P002", "响应时间", 7, "20", None, None),
    ("P002", "服务场次", 7, "7", None, "7"),
    ("P002", "学生课后安全", 7, None, "部分达成预期指标", None),
    ("P002", "节约家庭支出", 7, "130", None, None),
    ("P002", "家长满意度", 7, "99", None, None),
    ("P003", "单校造价", 7, "100", None, None),
    ("P003", "每平方米成本", 7, "40", None, None),
    ("P008", "培训人次", 7, "21", None, None),
]


def _dec(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def seed_hand_fixture(conn: duckdb.DuckDBPyConnection) -> None:
    conn.execute("insert into districts values ('示例区')")
    conn.executemany(
        "insert into departments (department_code, department_name, district_name, is_sensitive)"
        " values (?, ?, ?, ?)",
        DEPARTMENTS,
    )
    conn.executemany(
        "insert into projects (year, project_code, project_name, department_code, budget_type,"
        " adjusted_budget_yuan, initial_budget_yuan) values (?, ?, ?, ?, ?, ?, ?)",
        [(YEAR, c, n, d, t, Decimal(a), Decimal(i)) for c, n, d, t, a, i in PROJECTS],
    )
    conn.executemany(
        "insert into spending (year, month, project_code, fund_source, cumulative_yuan)"
        " values (?, ?, ?, ?, ?)",
        [(YEAR, m, p, f, Decimal(v)) for p, m, f, v in SPENDING],
    )
    levels = {}
    for p, l1, l2, name, op, tv, tt, unit, pts, cum in INDICATORS:
        levels[(p, name)] = (l1, l2)
        conn.execute(
            "insert into indicators (year, project_code, level1, level2, indicator_name, operator,"
            " target_value, target_text, unit, points, is_cumulative)"
            " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [YEAR, p, l1, l2, name, op, _dec(tv), tt, unit, _dec(pts), cum],
        )
    for p, name, month, value, text, period_target in ACTUALS:
        l1, l2 = levels[(p, name)]
        conn.execute(
            "insert into indicator_actuals (year, project_code, level1, level2, indicator_name,"
            " month, actual_value, actual_text, period_target) values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [YEAR, p, l1, l2, name, month, _dec(value), text, _dec(period_target)],
        )


# Costs for the cost reports (seed_hand_costs; not part of seed_hand_fixture, whose tests add
# their own cost rows). None of them raises a cost_above_reference flag:
# - 绿化养护 / 平方米: P001 (6,000 + 4,000) ÷ 1,000 = 10, P002 10, P004 (5,500 + 5,500) ÷ 1,000
#   = 11: three peers, median 10, P25 10, P75 10.5, fences 9.25 and 11.25 (no outlier); P004's
#   deviation 11 ÷ 10 − 1 is 0.1 exactly, not above the yellow line; no suggested standard
#   (fewer than 5).
# - P005 绿化养护 in 株: 3,000 ÷ 100 = 30, its own class and unit, alone: no reference.
# - P006 环卫保洁 / 平方米 at 4,000 ÷ 1,000 = 4 against the standard 5: −0.2.
# - left out: P003 no class (its unit cost 50,000 ÷ 10 = 5,000 is still shown), P008 no output
#   quantity, P009 two rows with 100 and 200 平方米 (inconsistent).
HAND_COST_CLASSES = [
    ("P001", "绿化养护"),
    ("P002", "绿化养护"),
    ("P004", "绿化养护"),
    ("P005", "绿化养护"),
    ("P006", "环卫保洁"),
    ("P008", "绿化养护"),
    ("P009", "绿化养护"),
]
# project, cost item, amount 元, output quantity, output unit
HAND_COSTS = [
    ("P001", "人员成本", "6000", "1000", "平方米"),
    ("P001", "运行维护", "4000", "1000", "平方米"),
    ("P002", "运行维护", "10000", "1000", "平方米"),
    ("P004", "人员成本", "5500", "1000", "平方米"),
    ("P004", "设施设备", "5500", "1000", "平方米"),
    ("P005", "运行维护", "3000", "100", "株"),
    ("P006", "运行维护", "4000", "1000", "平方米"),
    ("P003", "人员成本", "50000", "10", "平方米"),
    ("P008", "运行维护", "8000", None, None),
    ("P009", "人员成本", "1000", "100", "平方米"),
    ("P009", "运行维护", "1000", "200", "平方米"),
]


def seed_hand_costs(conn: duckdb.DuckDBPyConnection) -> None:
    conn.executemany(
        "update projects set service_class = ? where year = ? and project_code = ?",
        [(cls, YEAR, code) for code, cls in HAND_COST_CLASSES],
    )
    conn.executemany(
        "insert into costs (year, project_code, cost_item, amount_yuan, output_quantity,"
        " output_unit) values (?, ?, ?, ?, ?, ?)",
        [
            (YEAR, code, item, Decimal(amount), _dec(qty), unit)
            for code, item, amount, qty, unit in HAND_COSTS
        ],
    )
    conn.execute(
        "insert into cost_standards (year, service_class, output_unit,"
        " standard_unit_cost_yuan) values (?, '环卫保洁', '平方米', 5)",
        [YEAR],
    )
