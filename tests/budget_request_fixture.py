"""Budget requests (预算申请) of a year Y, and the year before, built through the importer:
every figure of the review (queries/budget_request_review.sql) worked out by hand below
(tests/importer/test_budget_requests.py for Y = 2026; the hand fixture's CLI report and golden file for
Y = 2025). Thresholds at their defaults: cost_above_reference.yellow_above 0.1, min_peers 3,
large_balance.red_at 0.2, self-evaluation execution weight 10.

The year before (Y − 1), department D1 绿化市容局 (1,000,000 元 budget each, December spending):
- A1 700,000 → 结转结余率 0.3 ≥ 0.2: result cap 700,000.
- A2 800,000 → exactly 0.2: capped (≥), 800,000.
- A3 800,000.01 → 0.19999999: not capped.
- Q 900,000 (balance 0.1), one indicator ≥100 个, 90 points, year-end actual 40: score
  (10 × 0.9 + 90 × 0.4) ÷ 100 × 100 = 45 → 差.
- X1 道路保洁 (unit U1) 500,000 → 0.5: capped at 500,000; requested as X2 (same department,
  unit and name, a new code).
Costs of Y − 1 (quantity 1,000 each): 道路养护/公里 R1–R6 unit costs 4, 5, 6, 8, 12, 40 → n 6,
suggested standard 5 (40 an outlier; mean of 4, 5, 6, 8, 12 is 7; ≤ 7: 4, 5, 6), median 7;
景观灯光维护/盏 L1–L3 10, 20, 60 → n 3, no suggestion, median 20; 水质生态维护/立方米 W1, W2 10,
10 → n 2: nothing. Y − 2: R0 道路养护 at 100 (an older year: not used).
Standards: 绿化养护/平方米 Y − 1 6.00 and Y 6.50 (the requested year's wins); 环卫保洁/平方米
Y − 2 3.00 and Y − 1 2.80 (none for Y: the latest earlier one, 2.80 of Y − 1).

Requests of Y (D1 unless said):
- A1 820,000 for 100,000 平方米 绿化养护: 8.20 vs 6.50 = +26.1538…% → cost cap 650,000; result
  cap 700,000 → 650,000 (the lowest).
- A2 900,000, no quantity: result cap 800,000 → 800,000.
- A3 900,000: no cap → 900,000.
- Q 1,000,000: grade 差, a reason with no number → 1,000,000.
- X2 道路保洁 U1 600,000: matched to X1 by name → 500,000.
- N2 (new) 820,000 for 100,000 平方米: cost cap alone → 650,000.
- N3 600,000 for 100,000: 6.00 below 6.50 → 600,000.
- N4 715,000 for 100,000: 7.15 = 6.50 × 1.1 exactly, not more than 10% above → 715,000.
- N5 715,000.01: above the line → 650,000.
- D2 交通委: F1 道路养护 60,000 for 10,000 公里: 6 vs suggested 5 (+20%) → cap 50,000; F2
  景观灯光维护 210,000 for 10,000 盏: 21 vs median 20 (+5%) → 210,000; F3 水质生态维护 200,000
  for 10,000 立方米: basis none → 200,000; F4 环卫保洁 3,100,000 for 1,000,000 平方米: 3.10 vs
  2.80 (+10.714…%) → cap 2,800,000.
Totals: D1 requested 7,070,000.01, suggested 6,465,000, difference 605,000.01; D2 3,570,000,
3,260,000, 310,000.
"""

from __future__ import annotations

import duckdb

from perfbudget.importer import import_files
from tests.import_helpers import csv_bytes

REQUEST_HEADER = ["年度", "项目编码", "项目名称", "主管部门编码", "主管部门", "预算单位编码", "一类事",
                  "申请金额", "计划产出数量", "产出单位", "是否新增项目"]  # fmt: skip


def request_rows(year: int) -> list[list[object]]:
    d1, d2 = ("D1", "绿化市容局"), ("D2", "交通委")
    return [
        [year, "A1", "绿化养护甲", *d1, None, "绿化养护", 820000, 100000, "平方米", "否"],
        [year, "A2", "绿化养护乙", *d1, None, "绿化养护", 900000, None, None, "否"],
        [year, "A3", "绿化养护丙", *d1, None, "绿化养护", 900000, None, None, "否"],
        [year, "Q", "差项目", *d1, None, None, 1000000, None, None, "否"],
        [year, "X2", "道路保洁", *d1, "U1", None, 600000, None, None, None],
        [year, "N2", "新绿化乙", *d1, None, "绿化养护", 820000, 100000, "平方米", "是"],
        [year, "N3", "新绿化丙", *d1, None, "绿化养护", 600000, 100000, "平方米", "是"],
        [year, "N4", "新绿化丁", *d1, None, "绿化养护", 715000, 100000, "平方米", "是"],
        [year, "N5", "新绿化戊", *d1, None, "绿化养护", "715000.01", 100000, "平方米", "是"],
        [year, "F1", "道路养护新", *d2, None, "道路养护", 60000, 10000, "公里", "是"],
        [year, "F2", "灯光新", *d2, None, "景观灯光维护", 210000, 10000, "盏", "是"],
        [year, "F3", "水质新", *d2, None, "水质生态维护", 200000, 10000, "立方米", "是"],
        [year, "F4", "保洁新", *d2, None, "环卫保洁", 3100000, 1000000, "平方米", "是"],
    ]


def seed_budget_review(conn: duckdb.DuckDBPyConnection, year: int) -> None:
    """The year before `year` (projects, December spending, costs, one self-evaluation), cost
    standards, and the requests of `year`, as the module docstring gives them."""
    last, before = year - 1, year - 2
    projects = [["年度", "项目编码", "项目名称", "主管部门编码", "主管部门", "预算单位编码", "一类事",
                 "调整后预算数"]]  # fmt: skip
    for code, name in (
        ("A1", "绿化养护甲"),
        ("A2", "绿化养护乙"),
        ("A3", "绿化养护丙"),
        ("Q", "差项目"),
    ):
        projects.append([last, code, name, "D1", "绿化市容局", None, None, 1000000])
    projects.append([last, "X1", "道路保洁", "D1", "绿化市容局", "U1", None, 1000000])
    costs = [["年度", "项目编码", "成本项目", "金额", "产出数量", "产出单位"]]
    for cls, unit, prefix, unit_costs in (("道路养护", "公里", "R", (4, 5, 6, 8, 12, 40)),
                                          ("景观灯光维护", "盏", "L", (10, 20, 60)),
                                          ("水质生态维护", "立方米", "W", (10, 10))):  # fmt: skip
        for k, cost in enumerate(unit_costs, start=1):
            projects.append([last, f"{prefix}{k}", f"{cls}{k}", "D2", "交通委", None, cls, 1000])
            costs.append([last, f"{prefix}{k}", "运行维护", cost * 1000, 1000, unit])
    projects.append([before, "R0", "道路养护0", "D2", "交通委", None, "道路养护", 1000])
    costs.append([before, "R0", "运行维护", 100000, 1000, "公里"])
    spending = [["年度", "月份", "项目编码", "累计支出"],
                [last, 12, "A1", 700000], [last, 12, "A2", 800000], [last, 12, "A3", "800000.01"],
                [last, 12, "Q", 900000], [last, 12, "X1", 500000]]  # fmt: skip
    indicators = [["年度", "项目编码", "一级指标", "二级指标", "三级指标", "计算符号", "年度指标值",
                   "计量单位", "分值", "月份", "完成值"],
                  [last, "Q", "产出指标", "数量指标", "完成数", "≥", 100, "个", 90, 12, 40]]  # fmt: skip
    standards = [["年度", "一类事", "产出单位", "标准单位成本"],
                 [last, "绿化养护", "平方米", "6.00"], [year, "绿化养护", "平方米", "6.50"],
                 [before, "环卫保洁", "平方米", "3.00"], [last, "环卫保洁", "平方米", "2.80"]]  # fmt: skip
    import_files(conn, [
        ("projects.csv", csv_bytes(projects)), ("spending.csv", csv_bytes(spending)),
        ("costs.csv", csv_bytes(costs)), ("indicators.csv", csv_bytes(indicators)),
        ("standards.csv", csv_bytes(standards)),
        ("requests.csv", csv_bytes([REQUEST_HEADER, *request_rows(year)])),
    ])  # fmt: skip
