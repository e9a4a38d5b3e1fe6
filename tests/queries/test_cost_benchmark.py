"""Cost benchmarking (一类事) on fixtures built here, every figure worked out by hand
(docs/figures.md#cost-benchmarking): quartiles by linear interpolation, Tukey fences, the
suggested standard (平均先进值), the projects left out and why, the reference of the
cost_above_reference rule, and the previous year's median. Each test builds a fresh in-memory
database with the default thresholds (min_peers 3)."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pandas as pd
import pytest

from perfbudget import db
from perfbudget.db import run_query

D = Decimal
YEAR = 2025
CLASS, UNIT = "绿化养护", "平方米"


def make_db() -> duckdb.DuckDBPyConnection:
    conn = db.connect()
    conn.execute(
        "insert into departments values ('D1', '绿化局', '甲区', false, null),"
        " ('D2', '环卫局', '乙区', false, null)"
    )
    return conn


def add_project(
    conn,
    code: str,
    unit_cost: str | None = None,
    *,
    year: int = YEAR,
    service_class: str | None = CLASS,
    unit: str | None = UNIT,
    quantity: str | None = "100",
    department: str = "D1",
) -> None:
    """A project whose one cost row (运行维护) gives unit_cost per output unit at `quantity`."""
    conn.execute(
        "insert into projects (year, project_code, project_name, department_code,"
        " adjusted_budget_yuan, service_class) values (?, ?, ?, ?, 1000000, ?)",
        [year, code, f"{code}项目", department, service_class],
    )
    if unit_cost is not None:
        amount = D(unit_cost) * D(quantity or "1")
        conn.execute(
            "insert into costs (year, project_code, cost_item, amount_yuan, output_quantity,"
            " output_unit) values (?, ?, '运行维护', ?, ?, ?)",
            [year, code, amount, None if quantity is None else D(quantity), unit],
        )


def class_db(*unit_costs: str, year: int = YEAR) -> duckdb.DuckDBPyConnection:
    conn = make_db()
    for i, cost in enumerate(unit_costs):
        add_project(conn, f"P{i:02d}", cost, year=year)
    return conn


def stats(conn, year: int = YEAR) -> dict:
    """cost_class_stats of 绿化养护 / 平方米, exact."""
    result = conn.execute(
        "select * from cost_class_stats(?) where service_class = ? and output_unit = ?",
        [year, CLASS, UNIT],
    )
    names = [d[0] for d in result.description]
    return dict(zip(names, result.fetchone(), strict=True))


def outliers(conn) -> set[str]:
    rows = conn.execute(
        "select project_code from cost_project_figures(?) where is_outlier", [YEAR]
    ).fetchall()
    return {r[0] for r in rows}


def benchmark(conn, service_class: str | None = None, output_unit: str | None = None) -> dict:
    frame = run_query(
        conn,
        "project_cost_benchmark",
        year=YEAR,
        service_class=service_class,
        output_unit=output_unit,
    )
    # a missing text arrives as NaN: None here, so a test can say `is None`
    return {
        r["project_code"]: {
            k: None if not isinstance(v, str) and pd.isna(v) else v for k, v in r.items()
        }
        for r in frame.to_dict("records")
    }


# --- quartiles ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("costs", "p25", "median", "p75"),
    [
        (["7"], "7", "7", "7"),  # n = 1: every quartile is the value
        (["4", "10"], "5.5", "7", "8.5"),  # h = 1.25: 4 + 0.25 × 6; median the mean
        (["12", "4", "8", "5", "6"], "5", "6", "8"),  # the domain's example (order of entry free)
        (
            ["4", "5", "6", "8", "12", "40"],
            "5.25",
            "7",
            "11",
        ),  # h = 2.25: 5 + 0.25 × 1; (6 + 8) ÷ 2
        (["3", "3", "3", "9"], "3", "3", "4.5"),  # ties: P75 h = 3.25 → 3 + 0.25 × 6
    ],
)
def test_quartiles_interpolate_between_order_statistics(costs, p25, median, p75):
    got = stats(class_db(*costs))
    assert (got["p25_unit_cost"], got["median_unit_cost"], got["p75_unit_cost"]) == (
        D(p25),
        D(median),
        D(p75),
    )
    assert got["project_count"] == len(costs)


# --- outliers ----------------------------------------------------------------------------


@pytest.mark.parametrize(("top", "is_outlier"), [("7", False), ("7.01", True)])
def test_a_value_exactly_at_the_upper_fence_is_not_an_outlier(top, is_outlier):
    # 1, 2, 3, 4, top: P25 2, P75 4 (the top value does not move them), fence 4 + 1.5 × 2 = 7
    conn = class_db("1", "2", "3", "4", top)
    got = stats(conn)
    assert got["upper_fence"] == D("7")
    assert got["outlier_count"] == int(is_outlier)
    assert ("P04" in outliers(conn)) is is_outlier


@pytest.mark.parametrize(("bottom", "is_outlier"), [("1", False), ("0.99", True)])
def test_a_value_exactly_at_the_lower_fence_is_not_an_outlier(bottom, is_outlier):
    # bottom, 4, 5, 6, 7: P25 4, P75 6, fence 4 − 1.5 × 2 = 1
    conn = class_db(bottom, "4", "5", "6", "7")
    assert stats(conn)["lower_fence"] == D("1")
    assert ("P00" in outliers(conn)) is is_outlier


def test_ties_leave_no_spread_and_no_outlier():
    conn = class_db("5", "5", "5", "5", "5")
    got = stats(conn)
    assert (got["lower_fence"], got["upper_fence"], got["outlier_count"]) == (D(5), D(5), 0)


# --- suggested standard (平均先进值) ----------------------------------------------------


def test_suggested_standard_of_the_domain_example_is_five():
    # 40 is above the fence 19.625; the rest average 7; at or below 7: 4, 5, 6 → 5
    conn = class_db("4", "5", "6", "8", "12", "40")
    got = stats(conn)
    assert got["upper_fence"] == D("19.625")
    assert outliers(conn) == {"P05"}
    assert got["suggested_standard"] == D("5")
    assert got["meeting_suggested_count"] == 2  # 4 and 5 (5 meets it exactly)
    assert got["outlier_count"] == 1


def test_each_project_against_the_suggested_standard_beside_the_rules_reference():
    # the domain example: suggestion 5, median 7 (no 成本定额标准, so the rule's basis is the
    # median); 8 is 8 ÷ 7 − 1 above the median and 8 ÷ 5 − 1 = 0.6 above the suggestion
    conn = class_db("4", "5", "6", "8", "12", "40")
    rows = benchmark(conn)
    assert (rows["P03"]["reference_basis"], rows["P03"]["reference_unit_cost_yuan"]) == (
        "median",
        7.0,
    )
    assert rows["P03"]["suggested_standard_yuan"] == 5.0
    assert rows["P03"]["suggested_deviation"] == 0.6
    assert rows["P00"]["suggested_deviation"] == -0.2  # 4 ÷ 5 − 1
    assert rows["P01"]["suggested_deviation"] == 0.0  # 5 meets it exactly
    assert rows["P05"]["suggested_deviation"] == 7.0  # the outlier 40 too: 40 ÷ 5 − 1
    # fewer than five peers: no suggestion, no deviation from one
    few = benchmark(class_db("4", "5", "6", "8"))
    assert {r["suggested_standard_yuan"] for r in few.values()} == {None}
    assert {r["suggested_deviation"] for r in few.values()} == {None}
    # a project left out is compared with no suggestion either
    left_out = benchmark(excluded_db())
    assert left_out["NC"]["suggested_deviation"] is None


def test_a_cost_equal_to_the_mean_is_on_the_advanced_side():
    # 1, 2, 3, 4, 5: no outlier, mean 3; at or below 3: 1, 2, 3 → 2
    got = stats(class_db("1", "2", "3", "4", "5"))
    assert got["suggested_standard"] == D("2")
    assert got["meeting_suggested_count"] == 2


def test_fewer_than_five_projects_get_no_suggestion():
    got = stats(class_db("4", "5", "6", "8"))
    assert got["suggested_standard"] is None
    assert got["meeting_suggested_count"] is None
    # the outlier counts before dropping: five with one outlier still get a suggestion.
    # P25 5, P75 8, fence 12.5: 40 is out; the rest average 23 ÷ 4 = 5.75; 4 and 5 → 4.5
    assert stats(class_db("4", "5", "6", "8", "40"))["suggested_standard"] == D("4.5")


# --- excluded projects ---------------------------------------------------------------------


def excluded_db() -> duckdb.DuckDBPyConnection:
    conn = class_db("10", "12", "14")  # three peers: median 12
    add_project(conn, "NC", "9", service_class=None)  # no class
    add_project(conn, "NQ", "9", quantity=None)  # no output quantity
    add_project(conn, "NU", "9", unit=None)  # a quantity without its unit
    add_project(conn, "OU", "50", unit="株")  # the class in another unit
    add_project(conn, "IR")  # two rows that disagree on the quantity
    conn.execute(
        "insert into costs (year, project_code, cost_item, amount_yuan, output_quantity,"
        " output_unit) values (?, 'IR', '人员成本', 100, 10, ?),"
        " (?, 'IR', '运行维护', 100, 20, ?)",
        [YEAR, UNIT, YEAR, UNIT],
    )
    return conn


def test_each_project_left_out_says_why():
    conn = excluded_db()
    rows = benchmark(conn)
    assert {code: r["excluded_reason"] for code, r in rows.items() if r["excluded_reason"]} == {
        "NC": "no_class",
        "NQ": "no_output_quantity",
        "NU": "no_output_quantity",
        "IR": "inconsistent_rows",
    }
    # left out: no reference, no deviation, not an outlier either way; basis none
    for code in ("NC", "NQ", "NU", "IR"):
        assert rows[code]["reference_basis"] == "none"
        assert rows[code]["deviation"] is None and rows[code]["is_outlier"] is None
    assert rows["NC"]["unit_cost_yuan"] == 9.0  # a unit cost, but nobody's peer
    assert rows["IR"]["unit_cost_yuan"] is None  # which quantity would it be?
    # the excluded do not move the class: still three peers, median 12
    got = stats(conn)
    assert (got["project_count"], got["median_unit_cost"]) == (3, D("12"))


def test_another_unit_is_left_out_in_the_view_of_one_class_and_unit():
    conn = excluded_db()
    rows = benchmark(conn, CLASS, UNIT)
    assert "NC" not in rows  # not of the class
    assert rows["OU"]["excluded_reason"] == "other_unit"
    assert rows["OU"]["reference_basis"] == "none"
    assert rows["P00"]["excluded_reason"] is None
    # in its own unit it is a class of one: no reference (fewer than 3 peers)
    assert benchmark(conn)["OU"]["excluded_reason"] is None
    assert benchmark(conn)["OU"]["reference_basis"] == "none"


# --- the reference (the cost_above_reference rule's) -----------------------------------------


def test_reference_is_the_standard_else_the_median_with_three_peers():
    conn = class_db("10", "10", "11")  # median 10; 11 is +10% exactly
    rows = benchmark(conn)
    assert (rows["P02"]["reference_basis"], rows["P02"]["deviation"]) == ("median", 0.1)
    # the rule agrees: +10% is not above the yellow line, so no flag
    assert run_query(conn, "warning_cost_above_reference", year=YEAR).empty
    conn.execute("insert into cost_standards values (?, ?, ?, 8, null)", [YEAR, CLASS, UNIT])
    rows = benchmark(conn)
    assert (rows["P02"]["reference_basis"], rows["P02"]["reference_unit_cost_yuan"]) == (
        "standard",
        8.0,
    )
    assert rows["P02"]["deviation"] == pytest.approx(0.375)  # 11 ÷ 8 − 1
    flags = run_query(conn, "warning_cost_above_reference", year=YEAR)
    assert set(flags["project_code"]) == {"P00", "P01", "P02"}  # 10 ÷ 8 − 1 = 0.25 > 0.2


def test_two_peers_and_no_standard_give_no_reference():
    rows = benchmark(class_db("10", "20"))
    assert {r["reference_basis"] for r in rows.values()} == {"none"}
    assert stats(class_db("10", "20"))["reference_unit_cost"] is None


def test_item_shares_are_item_over_total():
    conn = make_db()
    add_project(conn, "S1")
    conn.execute(
        "insert into costs (year, project_code, cost_item, amount_yuan, output_quantity,"
        " output_unit) values (?, 'S1', '人员成本', 300, 10, ?),"
        " (?, 'S1', '管理费用', 600, 10, ?), (?, 'S1', '印刷费', 100, 10, ?)",
        [YEAR, UNIT, YEAR, UNIT, YEAR, UNIT],
    )
    row = benchmark(conn)["S1"]
    assert (
        row["personnel_share"],
        row["management_share"],
        row["other_share"],
        row["operation_share"],
    ) == (0.3, 0.6, 0.1, 0.0)  # an unknown item counts as 其他
    assert row["unit_cost_yuan"] == 100.0  # 1,000 ÷ 10


# --- previous year ---------------------------------------------------------------------------


def test_class_median_against_the_previous_year():
    conn = class_db("10", "20", year=YEAR - 1)  # 2024: median 15
    for code, cost in (("N1", "16"), ("N2", "18"), ("N3", "20")):
        add_project(conn, code, cost)  # 2025: median 18
    summary = run_query(conn, "cost_class_summary", year=YEAR)
    row = summary.to_dict("records")[0]
    assert (row["median_unit_cost_yuan"], row["previous_median_unit_cost_yuan"]) == (18.0, 15.0)
    assert row["median_change"] == pytest.approx(0.2)  # 18 ÷ 15 − 1
    assert row["spread"] == pytest.approx(19 / 17)  # P75 19 ÷ P25 17
    # the year before has no previous year of its own
    earlier = run_query(conn, "cost_class_summary", year=YEAR - 1).to_dict("records")[0]
    assert pd.isna(earlier["previous_median_unit_cost_yuan"])


def test_group_medians_by_department_against_the_previous_year():
    conn = make_db()
    for code, cost, dept in (("A", "10", "D1"), ("B", "14", "D1"), ("C", "30", "D2")):
        add_project(conn, code, cost, department=dept)
    for code, cost, dept in (("A", "8", "D1"), ("C", "25", "D2")):
        add_project(conn, code, cost, department=dept, year=YEAR - 1)
    frame = run_query(
        conn,
        "cost_group_medians",
        year=YEAR,
        service_class=CLASS,
        output_unit=UNIT,
        group_by="department",
    )
    rows = {r["group_code"]: r for r in frame.to_dict("records")}
    assert (rows["D1"]["median_unit_cost_yuan"], rows["D1"]["previous_median_unit_cost_yuan"]) == (
        12.0,
        8.0,
    )
    assert rows["D1"]["median_change"] == pytest.approx(0.5)  # 12 ÷ 8 − 1
    assert rows["D2"]["median_change"] == pytest.approx(0.2)  # 30 ÷ 25 − 1
    assert list(frame["group_code"]) == ["D2", "D1"]  # highest median first
    by_district = run_query(
        conn,
        "cost_group_medians",
        year=YEAR,
        service_class=CLASS,
        output_unit=UNIT,
        group_by="district",
    )
    assert set(by_district["group_name"]) == {"甲区", "乙区"}


def test_a_department_sees_its_rows_against_the_whole_class():
    from perfbudget.scope import Scope

    conn = make_db()
    for code, cost, dept in (("A", "10", "D1"), ("B", "12", "D2"), ("C", "20", "D2")):
        add_project(conn, code, cost, department=dept)
    frame = run_query(
        conn,
        "project_cost_benchmark",
        Scope(departments=("D1",)),
        year=YEAR,
        service_class=None,
        output_unit=None,
    )
    # only D1's project, judged against the median of all three (12), not of D1's one
    assert list(frame["project_code"]) == ["A"]
    assert frame["reference_unit_cost_yuan"].iloc[0] == 12.0
    assert frame["deviation"].iloc[0] == pytest.approx(10 / 12 - 1)
