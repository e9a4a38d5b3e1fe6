"""Importing the 绩效指标 (indicators) template: definitions and actuals in one file,
operators glued to targets, percent-formatted cells, level names with points, conflicts."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfbudget.importer import import_files
from tests.import_helpers import csv_bytes, find_issue, new_db, rejected, seed_projects, xlsx_bytes

HEADER = ["年度", "项目编码", "一级指标", "二级指标", "三级指标", "计算符号", "年度指标值",
          "计量单位", "分值", "是否累计", "序时目标值", "月份", "完成值", "偏差原因"]  # fmt: skip


@pytest.fixture
def conn():
    c = new_db()
    seed_projects(c, [[2025, "P1", "甲", "财政局", 1200000]])
    yield c
    c.close()


def _indicators(conn):
    return conn.execute(
        "select level1, level2, indicator_name, operator, target_value, target_text, unit, "
        "points, is_cumulative from indicators order by indicator_name"
    ).fetchall()


def _actuals(conn):
    return conn.execute(
        "select indicator_name, month, actual_value, actual_text, period_target, reason "
        "from indicator_actuals order by indicator_name, month"
    ).fetchall()


def test_definitions_and_monthly_actuals_in_one_sheet(conn):
    data = xlsx_bytes(("绩效", [
        HEADER,
        [2025, "P1", "产出指标(50分)", "数量指标", "养护面积", None, "≥375", "万平方米", 20, "是", 250, 8, 260, None],
        [2025, "P1", "产出指标(50分)", "数量指标", "养护面积", None, "≥375", "万平方米", 20, "是", None, 12, 380, None],
        [2025, "P1", "产出指标", "质量指标", "验收合格率", ">=", "95", "%", 15, None, None, 12, "96%", None],
        [2025, "P1", "效益指标（30分）", "社会效益", "环境改善", None, "效果明显", None, 30, None, None, 12, "基本达成", "雨季影响"],
        [2025, "P1", "成本指标", "经济成本指标", "单位养护成本", None, "≤90万元", None, 10, None, None, 12, "72", None],
        [2025, "P1", "满意度指标", "服务对象满意度", "群众满意度", "不适用", None, None, None, None, None, None, None, None],
    ]))  # fmt: skip
    result = import_files(conn, [("ind.xlsx", data)])
    # 5 indicators (养护面积 on two rows), 5 values (养护面积 at 8 and 12; 群众满意度 none)
    assert result.files[0].row_counts == {"indicators": 5, "indicator_actuals": 5}
    assert sorted(_indicators(conn), key=lambda r: r[7] or 0) == [
        ("满意度指标", "服务对象满意度", "群众满意度", "不适用", None, None, None, None, None),
        ("成本指标", "经济成本指标", "单位养护成本", "≤", Decimal("90.000000"), "≤90万元", "万元",
         Decimal("10.00"), None),
        ("产出指标", "质量指标", "验收合格率", "≥", Decimal("95.000000"), "95", "%",
         Decimal("15.00"), None),
        ("产出指标", "数量指标", "养护面积", "≥", Decimal("375.000000"), "≥375", "万平方米",
         Decimal("20.00"), True),
        ("效益指标", "社会效益", "环境改善", "定性", None, "效果明显", None, Decimal("30.00"), None),
    ]  # fmt: skip
    assert sorted(_actuals(conn), key=lambda r: (r[3], r[1])) == sorted([
        ("养护面积", 8, Decimal("260.000000"), "260", Decimal("250.000000"), None),
        ("养护面积", 12, Decimal("380.000000"), "380", None, None),
        ("环境改善", 12, None, "基本达成", None, "雨季影响"),
        # indicator values are never converted between units: 72 stays 72 (万元)
        ("单位养护成本", 12, Decimal("72.000000"), "72", None, None),
        ("验收合格率", 12, Decimal("96.000000"), "96%", None, None),
    ], key=lambda r: (r[3], r[1]))  # fmt: skip


def test_percent_formatted_cells_read_as_percent_when_the_unit_is_percent(conn):
    data = xlsx_bytes(
        ("绩效", [
            ["年度", "项目编码", "一级指标", "二级指标", "三级指标", "计算符号", "年度指标值",
             "计量单位", "月份", "完成值"],
            [2025, "P1", "产出指标", "质量指标", "合格率", "≥", 0.95, "%", 12, 0.96],
            [2025, "P1", "产出指标", "数量指标", "比例", "≥", 0.5, "个", 12, 0.5],
        ]),
        number_formats={("绩效", "G2"): "0%", ("绩效", "J2"): "0.0%", ("绩效", "G3"): "0%"},
    )  # fmt: skip
    import_files(conn, [("pct.xlsx", data)])
    rows = conn.execute(
        "select i.indicator_name, target_value, target_text, actual_value, actual_text "
        "from indicators i join indicator_actuals a using (indicator_name) order by 1"
    ).fetchall()
    assert rows == [
        ("合格率", Decimal("95.000000"), "95%", Decimal("96.000000"), "96%"),
        # unit 个: the percent format is not applied
        ("比例", Decimal("0.500000"), "0.5", Decimal("0.500000"), "0.5"),
    ]


def test_indicators_from_csv(conn):
    data = csv_bytes([
        ["year", "project_code", "level1", "level2", "indicator", "target", "unit", "points"],
        [2025, "P1", "产出指标", "时效指标", "完成时间", "≤30", "天", "10"],
    ])  # fmt: skip
    import_files(conn, [("ind.csv", data)])
    assert _indicators(conn) == [("产出指标", "时效指标", "完成时间", "≤", Decimal("30.000000"),
                                  "≤30", "天", Decimal("10.00"), None)]  # fmt: skip
    assert _actuals(conn) == []


def test_actual_only_rows_need_a_known_definition(conn):
    import_files(conn, [("def.csv", csv_bytes([
        ["年度", "项目编码", "一级指标", "二级指标", "三级指标", "年度指标值"],
        [2025, "P1", "产出指标", "数量指标", "面积", "100"],
    ]))])  # fmt: skip
    actuals = csv_bytes([
        ["年度", "项目编码", "一级指标", "二级指标", "三级指标", "月份", "完成值"],
        [2025, "P1", "产出指标", "数量指标", "面积", 6, "40"],
    ])  # fmt: skip
    import_files(conn, [("act.csv", actuals)])
    assert _actuals(conn) == [("面积", 6, Decimal("40.000000"), "40", None, None)]
    # the definition was not touched by the actual-only file
    assert _indicators(conn)[0][4] == Decimal("100.000000")
    unknown = csv_bytes([
        ["年度", "项目编码", "一级指标", "二级指标", "三级指标", "月份", "完成值"],
        [2025, "P1", "产出指标", "数量指标", "长度", 6, "40"],
    ])  # fmt: skip
    exc = rejected(conn, [("unknown.csv", unknown)])
    find_issue(exc, file="unknown.csv", sheet=None, row=2, column="三级指标",
               zh="未定义", en="not defined")  # fmt: skip


def test_reimport_replaces_definition_and_actual_month_keeping_history(conn):
    v1 = csv_bytes([
        ["年度", "项目编码", "一级指标", "二级指标", "三级指标", "年度指标值", "月份", "完成值"],
        [2025, "P1", "产出指标", "数量指标", "面积", "100", 6, "40"],
        [2025, "P1", "产出指标", "数量指标", "面积", "100", 8, "60"],
    ])  # fmt: skip
    v2 = csv_bytes([
        ["年度", "项目编码", "一级指标", "二级指标", "三级指标", "年度指标值", "月份", "完成值"],
        [2025, "P1", "产出指标", "数量指标", "面积", "120", 8, "65"],
    ])  # fmt: skip
    import_files(conn, [("v1.csv", v1)])
    result = import_files(conn, [("v2.csv", v2)])
    assert result.files[0].replaced_count == 2  # the definition and the August actual
    assert _indicators(conn)[0][4] == Decimal("120.000000")
    assert [(m, v) for _n, m, v, *_ in _actuals(conn)] == [
        (6, Decimal("40.000000")),
        (8, Decimal("65.000000")),
    ]
    assert conn.execute(
        "select target_value, superseded_by from indicators_history"
    ).fetchall() == [(Decimal("100.000000"), 3)]
    assert conn.execute("select month, actual_value from indicator_actuals_history").fetchall() == [
        (8, Decimal("60.000000"))
    ]


def test_conflicting_definitions_in_one_file_are_refused(conn):
    data = xlsx_bytes(("绩效", [
        ["年度", "项目编码", "一级指标", "二级指标", "三级指标", "年度指标值", "月份", "完成值"],
        [2025, "P1", "产出指标", "数量指标", "面积", "100", 6, "40"],
        [2025, "P1", "产出指标", "数量指标", "面积", "120", 8, "60"],
    ]))  # fmt: skip
    exc = rejected(conn, [("conflict.xlsx", data)])
    find_issue(exc, file="conflict.xlsx", sheet="绩效", row=3, column="三级指标",
               zh="定义与第2行不同", en="differs from row 2")  # fmt: skip


def test_non_numeric_target_with_a_numeric_operator_is_refused(conn):
    data = xlsx_bytes(("绩效", [
        ["年度", "项目编码", "一级指标", "二级指标", "三级指标", "计算符号", "年度指标值"],
        [2025, "P1", "产出指标", "数量指标", "面积", "≥", "约30万"],
        [2025, "P1", "产出指标", "数量指标", "长度", "大约", "30"],
    ]))  # fmt: skip
    exc = rejected(conn, [("t.xlsx", data)])
    find_issue(exc, file="t.xlsx", sheet="绩效", row=2, column="年度指标值",
               zh="不是数字", en="not a number")  # fmt: skip
    find_issue(exc, file="t.xlsx", sheet="绩效", row=3, column="计算符号",
               zh="无法识别", en="not recognised")  # fmt: skip


def test_merged_level_cells_are_filled_from_the_row_above(conn):
    data = xlsx_bytes(("绩效", [
        ["年度", "项目编码", "一级指标", "二级指标", "三级指标", "年度指标值"],
        [2025, "P1", "产出指标", "数量指标", "面积", "100"],
        [2025, "P1", None, None, "长度", "20"],
    ]))  # fmt: skip
    result = import_files(conn, [("merged.xlsx", data)])
    assert [(r[0], r[1], r[2]) for r in _indicators(conn)] == [
        ("产出指标", "数量指标", "长度"), ("产出指标", "数量指标", "面积"),
    ]  # fmt: skip
    assert any("合并单元格" in n for n in result.files[0].notes)
