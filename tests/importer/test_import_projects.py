"""Importing the 项目 (projects) template: money units, departments, units, districts,
codes as text, tolerated layouts, re-import with history."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfbudget.importer import import_files
from tests.import_helpers import csv_bytes, find_issue, new_db, rejected, scalar, xlsx_bytes

FULL_HEADER = [
    "年度", "项目编码", "项目名称", "区", "主管部门编码", "主管部门", "预算单位编码", "预算单位",
    "预算类型", "项目类别", "一类事", "是否重点项目", "是否涉密", "部门是否涉密",
    "是否公开绩效目标", "年初预算数", "调整后预算数",
]  # fmt: skip


@pytest.fixture
def conn():
    c = new_db()
    yield c
    c.close()


def _project(conn, code, year=2025):
    cur = conn.execute(
        "select * from projects where year = $y and project_code = $c", {"y": year, "c": code}
    )
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    return dict(zip(names, rows[0], strict=True)) if rows else None


def test_projects_from_xlsx_with_every_column(conn):
    data = xlsx_bytes(("项目", [
        FULL_HEADER,
        [2025, "0012", "街道绿化养护", "浦东新区", "D01", "绿化市容局", "U01", "绿化管理所",
         "一般公共预算", "运行维护类", "绿化养护", "是", "否", "Y", "√", 1000000, 1200000],
        [2025, "0013", "道路保洁", "浦东新区", "D01", "绿化市容局", "U02", "环卫所",
         "政府性基金", "购买服务类", "环卫保洁", "否", "是", "Y", "×", None, "800,000.005"],
    ]))  # fmt: skip
    result = import_files(conn, [("projects.xlsx", data)], user="alice")

    [summary] = result.files
    assert summary.table_kinds == ["projects"]
    assert summary.row_counts == {"projects": 2}
    p = _project(conn, "0012")
    assert p["project_name"] == "街道绿化养护"
    assert p["department_code"] == "D01" and p["unit_code"] == "U01"
    assert p["budget_type"] == "一般公共预算" and p["category"] == "运行维护类"
    assert (p["is_key"], p["is_sensitive"], p["targets_disclosed"]) == (True, False, True)
    assert p["initial_budget_yuan"] == Decimal("1000000.00")
    assert p["adjusted_budget_yuan"] == Decimal("1200000.00")
    assert p["batch_id"] == summary.batch_id
    q = _project(conn, "0013")
    # short form of the budget's name; 800,000.005 元 rounds half up to 800,000.01
    assert q["budget_type"] == "政府性基金预算"
    assert q["adjusted_budget_yuan"] == Decimal("800000.01")
    assert q["initial_budget_yuan"] is None and q["is_sensitive"] is True
    assert conn.execute("select * from departments").fetchall() == [
        ("D01", "绿化市容局", "浦东新区", True, summary.batch_id)
    ]
    assert conn.execute("select unit_code, unit_name, department_code from units order by 1").fetchall() == [
        ("U01", "绿化管理所", "D01"), ("U02", "环卫所", "D01"),
    ]  # fmt: skip
    assert conn.execute("select * from districts").fetchall() == [("浦东新区",)]
    batch = conn.execute(
        "select file_name, layout, table_kinds, row_count, row_counts, imported_by, status "
        "from import_batches"
    ).fetchall()
    assert batch == [("projects.xlsx", "template:projects", "projects", 2, '{"projects": 2}', "alice",
                      "active")]  # fmt: skip


def test_wan_yuan_in_the_header(conn):
    data = csv_bytes([
        ["年度", "项目编码", "项目名称", "主管部门", "调整后预算数（万元）", "年初预算数(万元)"],
        [2025, "P1", "甲", "财政局", "12.3456", "0.00005"],
    ])  # fmt: skip
    import_files(conn, [("p.csv", data)])
    p = _project(conn, "P1")
    # 12.3456 万元 = 123,456 元 exactly; 0.00005 万元 = 0.5 元
    assert p["adjusted_budget_yuan"] == Decimal("123456.00")
    assert p["initial_budget_yuan"] == Decimal("0.50")


def test_wan_yuan_from_a_unit_line_above_the_header(conn):
    data = xlsx_bytes(("Sheet1", [
        ["2025年项目预算表"],
        [None, None, None, "单位：万元"],
        ["年度", "项目编码", "项目名称", "主管部门", "调整后预算数"],
        [2025, "P1", "甲", "财政局", 12.3456],
    ]))  # fmt: skip
    result = import_files(conn, [("p.xlsx", data)])
    assert _project(conn, "P1")["adjusted_budget_yuan"] == Decimal("123456.00")
    notes = " ".join(result.files[0].notes)
    assert "表头在第3行" in notes and "header on row 3" in notes
    assert "单位：万元" in notes or "万元" in notes


def test_header_unit_agreeing_with_the_unit_line_is_fine_and_yuan_header_overrides_default(conn):
    data = csv_bytes([
        ["单位：万元"],
        ["年度", "项目编码", "项目名称", "主管部门", "调整后预算数（万元）"],
        [2025, "P1", "甲", "财政局", "1.5"],
    ])  # fmt: skip
    import_files(conn, [("p.csv", data)])
    assert _project(conn, "P1")["adjusted_budget_yuan"] == Decimal("15000.00")


def test_header_unit_contradicting_the_unit_line_is_refused(conn):
    data = csv_bytes([
        ["单位：万元"],
        ["年度", "项目编码", "项目名称", "主管部门", "调整后预算数（元）"],
        [2025, "P1", "甲", "财政局", "1.5"],
    ])  # fmt: skip
    exc = rejected(conn, [("p.csv", data)])
    find_issue(exc, file="p.csv", sheet=None, row=2, column="调整后预算数（元）",
               zh="矛盾", en="contradicts")  # fmt: skip


def test_english_aliases_any_case_and_codes_kept_as_text(conn):
    data = xlsx_bytes(("data", [
        ["YEAR", "Project_Code", "project_name", "Department", "adjusted_budget", "remarks"],
        [2025, " 0012 ", "甲", "财政局", 100, "x"],
        [2025, "００７", "乙", "财政局", 200, "y"],
    ]))  # fmt: skip
    result = import_files(conn, [("aliases.xlsx", data)])
    codes = [r[0] for r in conn.execute("select project_code from projects order by 1").fetchall()]
    assert codes == ["0012", "007"]
    assert result.files[0].ignored_columns == ["remarks"]
    # with no department code, the department's name is its code
    assert conn.execute("select department_code, department_name from departments").fetchall() == [
        ("财政局", "财政局")
    ]


def test_numeric_code_cells_do_not_become_floats(conn):
    data = xlsx_bytes(("p", [
        ["年度", "项目编码", "项目名称", "主管部门编码", "主管部门", "调整后预算数"],
        [2025.0, 2130242, "甲", 1001.0, "财政局", 5],
    ]))  # fmt: skip
    import_files(conn, [("p.xlsx", data)])
    assert conn.execute("select year, project_code, department_code from projects").fetchall() == [
        (2025, "2130242", "1001")
    ]


def test_title_rows_blank_rows_totals_and_full_width_digits_are_tolerated(conn):
    data = xlsx_bytes(("项目表", [
        ["XX区2025年项目预算表"],
        [],
        ["年度", "项目编码", "项目名称", "主管部门", "调整后预算数"],
        [2025, "P1", "甲", "财政局", "１，０００"],
        [],
        [2025, "P2", "乙", "财政局", "2,000.50"],
        ["合计", None, None, None, "3000.50"],
        [None, "小 计", None, None, "3000.50"],
    ]))  # fmt: skip
    result = import_files(conn, [("p.xlsx", data)])
    assert result.files[0].row_counts == {"projects": 2}
    assert scalar(conn, "select sum(adjusted_budget_yuan) from projects") == Decimal("3000.50")
    notes = "\n".join(result.files[0].notes)
    assert "第1行（标题/说明）已跳过" in notes
    assert "空行已跳过：第5行" in notes and "blank rows skipped: 5" in notes
    assert "合计/小计行已跳过：第7–8行" in notes
    assert "全角" in notes and "千分位" in notes
    lines = "\n".join(result.summary_lines())
    assert "p.xlsx" in lines and "项目2行" in lines and "projects 2 rows" in lines
    frame = result.to_frame()
    assert frame.to_dict("records")[0] | {"batch_id": None} == {
        "file_name": "p.xlsx", "sheet": "项目表", "kind": "projects", "kind_zh": "项目",
        "header_row": 3, "rows": 2, "batch_id": None, "replaced_count": 0,
        "ignored_columns": "",
    }  # fmt: skip


def test_reimport_replaces_the_project_and_keeps_history(conn):
    first = csv_bytes([["年度", "项目编码", "项目名称", "主管部门", "是否涉密", "调整后预算数"],
                       [2025, "P1", "甲", "D1", "是", 100]])  # fmt: skip
    import_files(conn, [("v1.csv", first)])
    second = csv_bytes([["年度", "项目编码", "项目名称", "主管部门", "调整后预算数（万元）"],
                        [2025, "P1", "甲（调整）", "D1", "2"]])  # fmt: skip
    result = import_files(conn, [("v2.csv", second)])
    assert result.files[0].replaced_count == 1
    p = _project(conn, "P1")
    assert p["project_name"] == "甲（调整）"
    assert p["adjusted_budget_yuan"] == Decimal("20000.00")
    # the sensitivity flag was not in the second file: it is kept, not reset to 否
    assert p["is_sensitive"] is True
    history = conn.execute(
        "select project_name, adjusted_budget_yuan, batch_id, superseded_by from projects_history"
    ).fetchall()
    assert history == [("甲", Decimal("100.00"), 1, 2)]
    assert scalar(conn, "select count(*) from projects") == 1


def test_negative_budget_is_refused(conn):
    data = csv_bytes([["年度", "项目编码", "项目名称", "主管部门", "调整后预算数"],
                      [2025, "P1", "甲", "财政局", "-5"]])  # fmt: skip
    exc = rejected(conn, [("neg.csv", data)])
    find_issue(exc, file="neg.csv", sheet=None, row=2, column="调整后预算数",
               zh="不能为负", en="cannot be negative")  # fmt: skip


def test_unknown_budget_type_is_refused(conn):
    data = xlsx_bytes(("p", [["年度", "项目编码", "项目名称", "主管部门", "预算类型", "调整后预算数"],
                             [2025, "P1", "甲", "财政局", "专项预算", 1]]))  # fmt: skip
    exc = rejected(conn, [("bt.xlsx", data)])
    find_issue(exc, file="bt.xlsx", sheet="p", row=2, column="预算类型",
               zh="专项预算", en="four budgets")  # fmt: skip


def test_same_project_twice_with_different_values_is_refused_identical_is_tolerated(conn):
    header = ["年度", "项目编码", "项目名称", "主管部门", "调整后预算数"]
    same = csv_bytes([header, [2025, "P1", "甲", "财政局", 1], [2025, "P1", "甲", "财政局", 1]])
    result = import_files(conn, [("same.csv", same)])
    assert result.files[0].row_counts == {"projects": 1}
    assert any("完全相同" in n for n in result.files[0].notes)
    differ = csv_bytes([header, [2025, "P2", "甲", "财政局", 1], [2025, "P2", "甲", "财政局", 2]])
    exc = rejected(conn, [("differ.csv", differ)])
    find_issue(exc, file="differ.csv", sheet=None, row=3, column="项目编码",
               zh="与第2行重复且内容不同", en="as row 2 with different values")  # fmt: skip


def test_a_department_with_two_names_is_refused(conn):
    data = csv_bytes([
        ["年度", "项目编码", "项目名称", "主管部门编码", "主管部门", "调整后预算数"],
        [2025, "P1", "甲", "D1", "财政局", 1],
        [2025, "P2", "乙", "D1", "税务局", 1],
    ])  # fmt: skip
    exc = rejected(conn, [("d.csv", data)])
    find_issue(exc, file="d.csv", sheet=None, row=3, column="主管部门", zh="D1", en="differs")


def test_a_department_with_projects_in_two_districts_keeps_the_first(conn):
    data = csv_bytes([
        ["年度", "项目编码", "项目名称", "区", "主管部门", "调整后预算数"],
        [2025, "P1", "甲", "浦东新区", "市绿化局", 1],
        [2025, "P2", "乙", "黄浦区", "市绿化局", 1],
    ])  # fmt: skip
    result = import_files(conn, [("d.csv", data)])
    assert conn.execute("select district_name from departments").fetchall() == [("浦东新区",)]
    assert sorted(r[0] for r in conn.execute("select * from districts").fetchall()) == sorted(
        ["浦东新区", "黄浦区"]
    )
    assert any("分属不同的区" in n and "several districts" in n for n in result.files[0].notes)


def test_totals_rows_but_not_projects_whose_name_starts_like_one(conn):
    data = csv_bytes([
        ["年度", "项目名称", "项目编码", "主管部门", "调整后预算数"],
        [2025, "总计划编制项目", "P1", "财政局", 1],
        [2025, "合计：", None, None, 1],
        [None, "总计（万元）", None, None, 1],
    ])  # fmt: skip
    result = import_files(conn, [("t.csv", data)])
    assert result.files[0].row_counts == {"projects": 1}
    assert any("第3–4行" in n for n in result.files[0].notes)


def test_columns_absent_on_reimport_keep_their_values_given_ones_change(conn):
    import_files(conn, [("v1.csv", csv_bytes([
        ["年度", "项目编码", "项目名称", "主管部门", "预算单位编码", "预算类型", "年初预算数",
         "调整后预算数"],
        [2025, "P1", "甲", "D1", "U1", "一般公共预算", 100, 100],
    ]))])  # fmt: skip
    import_files(conn, [("v2.csv", csv_bytes([
        ["年度", "项目编码", "项目名称", "主管部门", "预算单位编码", "调整后预算数"],
        [2025, "P1", "甲", "D1", "U2", 150],
    ]))])  # fmt: skip
    p = _project(conn, "P1")
    assert p["unit_code"] == "U2"  # given by the code column alone
    assert p["budget_type"] == "一般公共预算" and p["initial_budget_yuan"] == Decimal("100.00")
    assert p["adjusted_budget_yuan"] == Decimal("150.00")
