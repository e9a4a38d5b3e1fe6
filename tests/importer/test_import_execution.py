"""Importing the 预算执行 (execution) template: period or cumulative, monthly or quarterly,
stored cumulative per key; CSV encodings; re-import replaces a project-month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from perfbudget.importer import import_files
from tests.import_helpers import (
    csv_bytes,
    find_issue,
    new_db,
    rejected,
    scalar,
    seed_projects,
    xlsx_bytes,
)


@pytest.fixture
def conn():
    c = new_db()
    seed_projects(c, [[2025, "P1", "甲", "财政局", 1200000], [2025, "0012", "乙", "财政局", 1000]])
    yield c
    c.close()


def _stored(conn, code="P1"):
    return conn.execute(
        "select month, fund_source, economic_class, cumulative_yuan from spending "
        "where project_code = $c order by month, fund_source, economic_class",
        {"c": code},
    ).fetchall()


def test_period_and_cumulative_input_store_the_same_cumulative(conn):
    period = csv_bytes([
        ["年度", "月份", "项目编码", "资金来源", "本期支出"],
        [2025, 1, "P1", "财政拨款", "100"],
        [2025, 2, "P1", "财政拨款", "50.25"],
        [2025, 2, "P1", "其他资金", "30"],
        [2025, 4, "P1", "财政拨款", "-20"],  # a reversal; month 3 absent counts 0
    ])  # fmt: skip
    cumulative = xlsx_bytes(("执行", [
        ["年度", "月份", "项目编码", "资金来源", "累计支出"],
        [2025, 1, "P1", "财政拨款", 100],
        [2025, 2, "P1", "财政拨款", 150.25],
        [2025, 2, "P1", "其他资金", 30],
        [2025, 4, "P1", "财政拨款", 130.25],
    ]))  # fmt: skip
    expected = [
        (1, "财政拨款", "", Decimal("100.00")),
        (2, "其他资金", "", Decimal("30.00")),
        (2, "财政拨款", "", Decimal("150.25")),
        (4, "财政拨款", "", Decimal("130.25")),
    ]
    import_files(conn, [("period.csv", period)])
    assert _stored(conn) == expected
    other = new_db()
    seed_projects(other, [[2025, "P1", "甲", "财政局", 1200000]])
    import_files(other, [("cumulative.xlsx", cumulative)])
    assert _stored(other) == expected


def test_quarterly_input_lands_in_months_3_6_9_12(conn):
    data = csv_bytes([
        ["年度", "季度", "项目编码", "本期支出（万元）"],
        [2025, "1", "P1", "1"], [2025, "Q2", "P1", "2"], [2025, "第三季度", "P1", "3"],
        [2025, "4", "P1", "4"],
    ])  # fmt: skip
    import_files(conn, [("q.csv", data)])
    assert [(m, c) for m, _f, _e, c in _stored(conn)] == [
        (3, Decimal("10000.00")), (6, Decimal("30000.00")), (9, Decimal("60000.00")),
        (12, Decimal("100000.00")),
    ]  # fmt: skip


def test_period_input_continues_from_the_database_cumulative(conn):
    import_files(conn, [("jan_feb.csv", csv_bytes([
        ["年度", "月份", "项目编码", "本期支出"], [2025, 1, "P1", 100], [2025, 2, "P1", 50],
    ]))])  # fmt: skip
    import_files(conn, [("mar.csv", csv_bytes([
        ["年度", "月份", "项目编码", "本期支出"], [2025, 3, "P1", 25],
    ]))])  # fmt: skip
    assert [c for *_k, c in _stored(conn)] == [Decimal("100.00"), Decimal("150.00"),
                                               Decimal("175.00")]  # fmt: skip


def test_reimport_of_a_month_replaces_all_its_keys_and_keeps_history(conn):
    import_files(conn, [("v1.csv", csv_bytes([
        ["年度", "月份", "项目编码", "经济分类", "累计支出", "全年预计执行数"],
        [2025, 1, "P1", "办公费", 10, 1000], [2025, 1, "P1", "差旅费", 20, None],
        [2025, 2, "P1", "办公费", 40, None],
    ]))])  # fmt: skip
    result = import_files(conn, [("v2.csv", csv_bytes([
        ["年度", "月份", "项目编码", "经济分类", "累计支出"], [2025, 1, "P1", "办公费", 15],
    ]))])  # fmt: skip
    # both keys of January are replaced by the one row; February stays
    assert result.files[0].replaced_count == 2
    assert _stored(conn) == [
        (1, "", "办公费", Decimal("15.00")),
        (2, "", "办公费", Decimal("40.00")),
    ]
    history = conn.execute(
        "select month, economic_class, cumulative_yuan, forecast_yuan, batch_id, superseded_by "
        "from spending_history order by economic_class"
    ).fetchall()
    v1, v2 = (r[0] for r in conn.execute("select batch_id from import_batches where file_name "
                                          "in ('v1.csv', 'v2.csv') order by batch_id").fetchall())  # fmt: skip
    assert history == [
        (1, "办公费", Decimal("10.00"), Decimal("1000.00"), v1, v2),
        (1, "差旅费", Decimal("20.00"), None, v1, v2),
    ]
    assert scalar(conn, "select replaced_count from import_batches where batch_id = $b",
                  {"b": v2}) == 2  # fmt: skip


def test_forecast_and_quarter_in_wan_yuan_via_unit_line(conn):
    data = xlsx_bytes(("S", [
        ["单位：万元"],
        ["年度", "月份", "项目编码", "累计支出", "全年预计执行数"],
        [2025, 8, "P1", "56", "115"],
    ]))  # fmt: skip
    import_files(conn, [("f.xlsx", data)])
    assert conn.execute("select cumulative_yuan, forecast_yuan from spending").fetchall() == [
        (Decimal("560000.00"), Decimal("1150000.00"))
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_csv_in_every_accepted_encoding(conn, encoding):
    data = csv_bytes([["年度", "月份", "项目编码", "资金来源", "本期支出"],
                      [2025, 1, "0012", "上年结转资金", "12"]], encoding)  # fmt: skip
    import_files(conn, [(f"{encoding}.csv", data)])
    assert _stored(conn, "0012") == [(1, "上年结转资金", "", Decimal("12.00"))]


def test_gb18030_characters_outside_gbk(conn):
    # 㐀 (U+3400) exists in GB18030 but not in GBK
    data = csv_bytes([["年度", "月份", "项目编码", "资金来源", "本期支出"],
                      [2025, 1, "P1", "㐀资金", "1"]], "gb18030")  # fmt: skip
    import_files(conn, [("gb.csv", data)])
    assert _stored(conn)[0][1] == "㐀资金"


def test_identical_duplicate_rows_are_tolerated_and_noted(conn):
    data = csv_bytes([["年度", "月份", "项目编码", "本期支出"],
                      [2025, 1, "P1", 5], [2025, 1, "P1", 5]])  # fmt: skip
    result = import_files(conn, [("dup.csv", data)])
    assert _stored(conn) == [(1, "", "", Decimal("5.00"))]
    assert any("完全相同" in n and "identical" in n for n in result.files[0].notes)


def test_same_key_twice_with_different_amounts_is_refused(conn):
    data = xlsx_bytes(("执行", [["年度", "月份", "项目编码", "本期支出"],
                               [2025, 1, "P1", 5], [2025, 1, "P1", 6]]))  # fmt: skip
    exc = rejected(conn, [("dup.xlsx", data)])
    find_issue(exc, file="dup.xlsx", sheet="执行", row=3, column="本期支出",
               zh="与第2行重复且内容不同", en="different values")  # fmt: skip


def test_month_and_quarter_out_of_range_are_refused(conn):
    data = xlsx_bytes(("执行", [["年度", "月份", "季度", "项目编码", "本期支出"],
                               [2025, 13, None, "P1", 5], [2025, None, 5, "P1", 6],
                               [2025, 0, None, "P1", 7]]))  # fmt: skip
    exc = rejected(conn, [("m.xlsx", data)])
    find_issue(exc, file="m.xlsx", sheet="执行", row=2, column="月份", zh="1–12", en="1 and 12")
    find_issue(exc, file="m.xlsx", sheet="执行", row=3, column="季度", zh="1–4", en="1 and 4")
    find_issue(exc, file="m.xlsx", sheet="执行", row=4, column="月份", zh="1–12", en="1 and 12")


def test_unknown_project_or_wrong_year_is_refused(conn):
    data = csv_bytes([["年度", "月份", "项目编码", "本期支出"],
                      [2025, 1, "NOPE", 5], [2024, 1, "P1", 5], [2024, 2, "P1", 5]])  # fmt: skip
    exc = rejected(conn, [("ref.csv", data)])
    find_issue(exc, file="ref.csv", sheet=None, row=2, column="项目编码", zh="NOPE",
               en="neither in the files imported nor in the database")  # fmt: skip
    issue = find_issue(exc, file="ref.csv", sheet=None, row=3, column="项目编码", zh="2024年度",
                       en="for 2024")  # fmt: skip
    assert "共2行" in issue.message_zh


def test_projects_and_execution_in_one_call_and_one_workbook(conn):
    data = xlsx_bytes(
        ("项目", [["年度", "项目编码", "项目名称", "主管部门", "调整后预算数"],
                  [2026, "N1", "新项目", "财政局", 10]]),
        ("执行", [["年度", "月份", "项目编码", "本期支出"], [2026, 1, "N1", 4]]),
    )  # fmt: skip
    result = import_files(conn, [("both.xlsx", data)])
    assert result.files[0].table_kinds == ["projects", "execution"]
    assert result.files[0].row_counts == {"projects": 1, "execution": 1}
    assert _stored(conn, "N1") == [(1, "", "", Decimal("4.00"))]
    assert list(result.to_frame()["kind"]) == ["projects", "execution"]


def test_period_and_cumulative_both_given_uses_cumulative(conn):
    data = csv_bytes([["年度", "月份", "项目编码", "本期支出", "累计支出"],
                      [2025, 1, "P1", 10, 10], [2025, 2, "P1", 5, 15]])  # fmt: skip
    result = import_files(conn, [("both.csv", data)])
    assert [c for *_k, c in _stored(conn)] == [Decimal("10.00"), Decimal("15.00")]
    assert any("累计支出" in n for n in result.files[0].notes)


def test_progress_is_reported_from_0_to_1(conn):
    seen = []
    data = csv_bytes([["年度", "月份", "项目编码", "本期支出"], [2025, 1, "P1", 5]])
    import_files(conn, [("p.csv", data)], progress=lambda f, label: seen.append((f, label)))
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and fractions[0] == 0.0
    assert all(isinstance(label, str) and label for _, label in seen)


def test_files_given_as_paths_and_months_written_as_dates(conn, tmp_path):
    path = tmp_path / "执行.xlsx"
    path.write_bytes(xlsx_bytes(("执行", [
        ["年度", "月份", "项目编码", "本期支出"],
        [2025, dt.datetime(2025, 3, 1), "P1", 7],  # a month typed as 2025-03 becomes a date
        [2025, "2025年4月", "P1", 3],
    ])))  # fmt: skip
    result = import_files(conn, [path, str(path)])
    assert [f.file_name for f in result.files] == ["执行.xlsx", "执行.xlsx"]
    # the second copy replaced the first: still the same cumulative figures
    assert [(m, c) for m, _f, _e, c in _stored(conn)] == [(3, Decimal("7.00")),
                                                          (4, Decimal("10.00"))]  # fmt: skip
    assert result.files[1].replaced_count == 2
