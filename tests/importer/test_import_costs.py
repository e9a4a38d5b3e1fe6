"""Importing the 成本 (costs), 成本标准 (cost standards) and 整改 (rectifications) templates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from perfbudget.importer import import_files
from tests.import_helpers import csv_bytes, find_issue, new_db, rejected, seed_projects, xlsx_bytes


@pytest.fixture
def conn():
    c = new_db()
    seed_projects(c, [[2025, "P1", "甲", "财政局", 1200000], [2024, "P0", "旧", "财政局", 1]])
    yield c
    c.close()


def test_costs_with_wan_yuan_header_and_one_output_quantity(conn):
    data = xlsx_bytes(("成本", [
        ["年度", "项目编码", "成本项目", "金额（万元）", "产出数量", "产出单位"],
        [2025, "P1", "人员成本", "45", "3,750,000", "平方米"],
        [2025, "P1", "运行维护", "12.5", "3750000", "平方米"],
        [2025, "P1", "其他", "0.12345", None, None],
    ]))  # fmt: skip
    result = import_files(conn, [("costs.xlsx", data)])
    assert result.files[0].row_counts == {"costs": 3}
    rows = conn.execute(
        "select cost_item, amount_yuan, output_quantity, output_unit from costs order by amount_yuan"
    ).fetchall()
    assert rows == [
        ("其他", Decimal("1234.50"), None, None),
        ("运行维护", Decimal("125000.00"), Decimal("3750000.000000"), "平方米"),
        ("人员成本", Decimal("450000.00"), Decimal("3750000.000000"), "平方米"),
    ]


def test_costs_reimport_replaces_all_items_of_the_project(conn):
    header = ["年度", "项目编码", "成本项目", "金额"]
    import_files(conn, [("c1.csv", csv_bytes([header, [2025, "P1", "人员成本", 10],
                                               [2025, "P1", "其他", 5]]))])  # fmt: skip
    result = import_files(conn, [("c2.csv", csv_bytes([header, [2025, "P1", "人员成本", 11]]))])
    assert result.files[0].replaced_count == 2
    assert conn.execute("select cost_item, amount_yuan from costs").fetchall() == [
        ("人员成本", Decimal("11.00"))
    ]
    assert conn.execute("select count(*) from costs_history where superseded_by = $b",
                        {"b": result.files[0].batch_id}).fetchall() == [(2,)]  # fmt: skip


def test_output_quantity_must_agree_and_be_positive(conn):
    data = csv_bytes([
        ["年度", "项目编码", "成本项目", "金额", "产出数量", "产出单位"],
        [2025, "P1", "人员成本", 1, 100, "公里"],
        [2025, "P1", "其他", 1, 90, "公里"],
        [2025, "P1", "管理费用", 1, 0, "公里"],
    ])  # fmt: skip
    exc = rejected(conn, [("q.csv", data)])
    find_issue(exc, file="q.csv", sheet=None, row=3, column="产出数量", zh="不一致", en="differs")
    find_issue(
        exc, file="q.csv", sheet=None, row=4, column="产出数量", zh="大于0", en="greater than 0"
    )


def test_cost_standards_keep_four_decimals(conn):
    data = csv_bytes([
        ["年度", "一类事", "产出单位", "标准单位成本"],
        [2025, "绿化养护", "平方米", "0.32125"],
        [2025, "环卫保洁", "平方米", "1.5"],
    ])  # fmt: skip
    import_files(conn, [("std.csv", data)])
    rows = conn.execute(
        "select service_class, standard_unit_cost_yuan from cost_standards order by 2"
    ).fetchall()
    # 0.32125 rounds half up to 0.3213 (four decimals)
    assert rows == [("绿化养护", Decimal("0.3213")), ("环卫保洁", Decimal("1.5000"))]
    result = import_files(conn, [("std2.csv", csv_bytes([
        ["年度", "一类事", "产出单位", "标准单位成本"], [2025, "绿化养护", "平方米", "0.4"],
    ]))])  # fmt: skip
    assert result.files[0].replaced_count == 1
    assert conn.execute(
        "select standard_unit_cost_yuan, superseded_by from cost_standards_history"
    ).fetchall() == [(Decimal("0.3213"), result.files[0].batch_id)]


def test_cost_standard_must_be_positive(conn):
    data = csv_bytes(
        [["年度", "一类事", "产出单位", "标准单位成本"], [2025, "绿化养护", "平方米", "0"]]
    )
    exc = rejected(conn, [("s.csv", data)])
    find_issue(exc, file="s.csv", sheet=None, row=2, column="标准单位成本", zh="大于0",
               en="greater than 0")  # fmt: skip


def test_rectifications_with_dates_in_many_forms(conn):
    data = xlsx_bytes(("整改", [
        ["项目编码", "问题", "反馈日期", "完成日期"],
        ["P1", "支出进度偏慢", dt.date(2025, 3, 1), None],
        ["P1", "成本超标准", "2025/3/1", "2025年3月20日"],
        ["P0", "绩效目标未申报", "2024-06-01", "2024-06-15"],
    ]))  # fmt: skip
    import_files(conn, [("r.xlsx", data)])
    assert conn.execute(
        "select project_code, issue, feedback_date, done_date from rectifications order by 3, 2"
    ).fetchall() == [
        ("P0", "绩效目标未申报", dt.date(2024, 6, 1), dt.date(2024, 6, 15)),
        ("P1", "成本超标准", dt.date(2025, 3, 1), dt.date(2025, 3, 20)),
        ("P1", "支出进度偏慢", dt.date(2025, 3, 1), None),
    ]


def test_rectification_reimport_closes_the_item(conn):
    header = ["项目编码", "问题", "反馈日期", "完成日期"]
    import_files(conn, [("r1.csv", csv_bytes([header, ["P1", "偏慢", "2025-03-01", ""]]))])
    import_files(
        conn, [("r2.csv", csv_bytes([header, ["P1", "偏慢", "2025-03-01", "2025-03-20"]]))]
    )
    assert conn.execute("select done_date from rectifications").fetchall() == [
        (dt.date(2025, 3, 20),)
    ]
    assert conn.execute("select done_date from rectifications_history").fetchall() == [(None,)]


def test_rectification_refusals(conn):
    data = csv_bytes([
        ["年度", "项目编码", "问题", "反馈日期", "完成日期"],
        [2025, "P1", "偏慢", "2025-03-01", "2025-02-01"],
        [2025, "P0", "偏慢", "2025-03-01", ""],  # P0 exists only in 2024
        [None, "ZZ", "偏慢", "2025-03-01", ""],
        [None, "P1", "偏慢", "下周", ""],
    ])  # fmt: skip
    exc = rejected(conn, [("r.csv", data)])
    find_issue(exc, file="r.csv", sheet=None, row=2, column="完成日期", zh="早于", en="before")
    find_issue(exc, file="r.csv", sheet=None, row=3, column="项目编码", zh="P0", en="for 2025")
    find_issue(exc, file="r.csv", sheet=None, row=4, column="项目编码", zh="ZZ", en="neither")
    find_issue(exc, file="r.csv", sheet=None, row=5, column="反馈日期", zh="不是日期",
               en="not a date")  # fmt: skip


def test_costs_for_an_unknown_project_are_refused(conn):
    data = csv_bytes([["年度", "项目编码", "成本项目", "金额"], [2024, "P1", "其他", 1]])
    exc = rejected(conn, [("c.csv", data)])
    find_issue(
        exc, file="c.csv", sheet=None, row=2, column="项目编码", zh="2024年度", en="for 2024"
    )


def test_unit_cost_header_with_a_per_unit(conn):
    data = csv_bytes([["年度", "一类事", "产出单位", "标准单位成本（万元/公里）"],
                      [2025, "道路养护", "公里", "1.2"]])  # fmt: skip
    import_files(conn, [("std.csv", data)])
    assert conn.execute("select standard_unit_cost_yuan from cost_standards").fetchall() == [
        (Decimal("12000.0000"),)
    ]
