"""PEFA fiscal reliability (docs/figures.md#fiscal-reliability-pefa): PI-1 aggregate outturn and
PI-2 composition variance per head over the last three completed years, on small databases
built in code (tests/pefa_fixture.py), every figure worked out by hand here."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal

import openpyxl
import pytest

from perfbudget import cli, db
from perfbudget.scope import Scope
from tests.pefa_fixture import pefa_db

YEARS = (2023, 2024, 2025)


def scores(conn, level="district", year=2025, scope=None):
    return db.run_query(conn, "pefa_scores", scope, level=level, year=year)


def head(frame, code):
    return frame[frame["code"] == code].set_index("year")


def truncated(fraction: Decimal) -> float:
    """A fraction as exact_ratio gives it: truncated at 12 decimals."""
    return float(fraction.quantize(Decimal("1e-12"), rounding=ROUND_DOWN))


# --- the domain example: budgets 100/50/50, outturns 90/70/60 -------------------------------


@pytest.fixture(scope="module")
def example():
    rows = [
        (y, "甲区", dept, None, budget, spent, 12)
        for y in YEARS
        for dept, budget, spent in (("A1", "100", "90"), ("A2", "50", "70"), ("A3", "50", "60"))
    ]
    conn = pefa_db(rows)
    yield conn
    conn.close()


def test_the_example_is_k_1_10_and_variance_40_over_220(example):
    frame = head(scores(example), "甲区")
    assert list(frame.index) == list(YEARS)
    row = frame.loc[2025]
    assert row["initial_budget_yuan"] == Decimal("200.00")
    assert row["outturn_yuan"] == Decimal("220.00")
    assert row["outturn_ratio"] == 1.1  # = k
    # Σ |a_i − k·b_i| = |90 − 110| + |70 − 55| + |60 − 55| = 40, over Σ k·b_i = 220
    assert row["deviation_yuan"] == Decimal("40.00")
    assert row["pi2_variance"] == truncated(Decimal(40) / Decimal(220)) == 0.181818181818
    assert row["pi2_year_grade"] == "D"  # 18.2% is not below 15%
    assert row["pi2_score"] == "D"
    # 220 ÷ 200 = 110% exactly: inside B's band (bounds inclusive), not A's
    assert row["pi1_year_grade"] == "B" and row["pi1_score"] == "B"
    assert row["sub_head_count"] == 3 and row["year_count"] == 3


def test_the_example_calculation_per_department(example):
    frame = db.run_query(example, "pefa_composition", level="district", year=2025)
    year = frame[frame["year"] == 2025].set_index("sub_code")
    assert list(year.index) == ["A1", "A2", "A3"]
    assert set(year["k"]) == {1.1}
    assert list(year["expected_yuan"]) == [Decimal("110.00"), Decimal("55.00"), Decimal("55.00")]
    assert list(year["deviation_yuan"]) == [Decimal("20.00"), Decimal("15.00"), Decimal("5.00")]
    assert list(year["outturn_ratio"]) == [0.9, 1.4, 1.2]
    assert list(year["sub_name"]) == ["A1局", "A2局", "A3局"]


def test_a_department_is_judged_over_its_units_and_the_city_over_its_districts(example):
    # each department of the example has one project and no unit: one sub-head, variance 0
    departments = scores(example, "department")
    assert list(departments["code"].unique()) == ["A1", "A2", "A3"]
    assert set(departments["pi2_variance"]) == {0.0} and set(departments["pi2_score"]) == {"A"}
    # A1 90 ÷ 100 = 0.9 → B; A2 70 ÷ 50 = 1.4 → D; A3 60 ÷ 50 = 1.2 → D
    assert dict(zip(departments["code"], departments["pi1_score"], strict=False)) == {
        "A1": "B",
        "A2": "D",
        "A3": "D",
    }
    city = scores(example, "city")
    assert list(city["code"]) == ["全市"] * 3 and set(city["sub_head_count"]) == {1}


def test_units_are_the_sub_heads_of_a_department():
    # one department, units U1 (budget 100, outturn 90) and U2 (100, 110): k = 1, deviations
    # 10 + 10 = 20 over 200 = 10% → C (10% is not below 10%); outturn 200 ÷ 200 → A
    rows = [
        (y, "甲区", "B1", unit, "100", spent, 12)
        for y in YEARS
        for unit, spent in (("U1", "90"), ("U2", "110"))
    ]
    conn = pefa_db(rows)
    row = head(scores(conn, "department"), "B1").loc[2025]
    assert row["pi2_variance"] == 0.1 and row["pi2_score"] == "C"
    assert row["pi1_score"] == "A" and row["sub_head_count"] == 2
    parts = db.run_query(conn, "pefa_composition", level="department", year=2025)
    assert list(parts[parts["year"] == 2025]["sub_name"]) == ["U1单位", "U2单位"]
    conn.close()


# --- the bounds ------------------------------------------------------------------------------

# department: outturn of a budget of 100 (the same each year) → PI-1 grade, bounds inclusive
PI1_CASES = [
    ("E095", "95", "A"),
    ("E105", "105", "A"),
    ("E100", "100", "A"),
    ("E09499", "94.99", "B"),
    ("E10501", "105.01", "B"),
    ("E090", "90", "B"),
    ("E110", "110", "B"),
    ("E08999", "89.99", "C"),
    ("E11001", "110.01", "C"),
    ("E085", "85", "C"),
    ("E115", "115", "C"),
    ("E08499", "84.99", "D"),
    ("E11501", "115.01", "D"),
    ("E000", "0", "D"),
]


def test_pi1_bounds_are_inclusive():
    conn = pefa_db(
        [(y, "甲区", code, None, "100", spent, 12) for y in YEARS for code, spent, _ in PI1_CASES]
    )
    frame = scores(conn, "department")
    got = dict(zip(frame["code"], frame["pi1_score"], strict=False))
    assert got == {code: grade for code, _, grade in PI1_CASES}
    assert set(frame[frame["code"] == "E095"]["outturn_ratio"]) == {0.95}
    conn.close()


# district of two departments with budgets 100 and 100: outturns → variance, PI-2 grade strict
PI2_CASES = [
    ("V0499", ("104.99", "95.01"), 0.0499, "A"),  # 9.98 ÷ 200
    ("V05", ("105", "95"), 0.05, "B"),  # exactly 5%: not below 5%
    ("V0999", ("109.99", "90.01"), 0.0999, "B"),
    ("V10", ("110", "90"), 0.1, "C"),
    ("V15", ("115", "85"), 0.15, "D"),  # exactly 15%: not below 15%
]


def test_pi2_bounds_are_strict():
    rows = [
        (y, district, f"{district}-{i}", None, "100", spent, 12)
        for y in YEARS
        for district, spents, _, _ in PI2_CASES
        for i, spent in enumerate(spents)
    ]
    conn = pefa_db(rows)
    frame = scores(conn)
    for district, _, variance, grade in PI2_CASES:
        row = head(frame, district).loc[2025]
        assert row["pi2_variance"] == variance, district
        assert row["pi2_year_grade"] == grade and row["pi2_score"] == grade, district
        assert row["outturn_ratio"] == 1.0  # k = 200 ÷ 200 in every case
    conn.close()


# --- the score: the best grade met in at least 2 of the 3 years --------------------------------

SCORE_CASES = [
    ("S-AAD", ("100", "100", "50"), "A"),
    ("S-ABD", ("100", "92", "50"), "B"),
    ("S-ACD", ("100", "87", "50"), "C"),  # one A, one C: C is met (or beaten) twice
    ("S-ADD", ("100", "50", "50"), "D"),
    ("S-DAB", ("50", "100", "92"), "B"),  # the order of the years plays no part
    ("S-BBB", ("91", "109", "90"), "B"),
]


def test_the_score_is_the_best_grade_met_in_two_of_three_years():
    rows = [
        (year, "甲区", code, None, "100", spent, 12)
        for code, spents, _ in SCORE_CASES
        for year, spent in zip(YEARS, spents, strict=True)
    ]
    conn = pefa_db(rows)
    frame = scores(conn, "department")
    assert dict(zip(frame["code"], frame["pi1_score"], strict=False)) == {
        code: grade for code, _, grade in SCORE_CASES
    }
    assert list(head(frame, "S-ABD")["pi1_year_grade"]) == ["A", "B", "D"]
    conn.close()


# --- which years ---------------------------------------------------------------------------------


def test_fewer_than_three_completed_years_show_the_figures_without_a_score():
    conn = pefa_db([(y, "甲区", "A1", None, "100", "100", 12) for y in (2024, 2025)])
    frame = scores(conn)
    assert list(frame["year"]) == [2024, 2025]
    assert list(frame["outturn_ratio"]) == [1.0, 1.0]
    assert list(frame["pi1_year_grade"]) == ["A", "A"]
    assert set(frame["pi1_score"]) == {"—"} and set(frame["pi2_score"]) == {"—"}
    assert set(frame["year_count"]) == {2}
    conn.close()


def test_a_head_with_projects_in_two_of_the_three_years_is_not_rated():
    rows = [(y, "甲区", "A1", None, "100", "100", 12) for y in YEARS]
    rows += [(y, "甲区", "A2", None, "100", "100", 12) for y in (2024, 2025)]
    conn = pefa_db(rows)
    frame = scores(conn, "department")
    assert set(head(frame, "A1")["pi1_score"]) == {"A"}
    assert set(head(frame, "A2")["pi1_score"]) == {"—"}
    conn.close()


def test_a_year_without_december_spending_is_not_complete():
    # 2025 has spending only to November: the last three completed years up to 2025 are
    # 2022–2024, and 2025's figures are not among them
    rows = [(y, "甲区", "A1", None, "100", "100", 12) for y in (2022, 2023, 2024)]
    rows.append((2025, "甲区", "A1", None, "100", "30", 11))
    conn = pefa_db(rows)
    frame = scores(conn)
    assert list(frame["year"]) == [2022, 2023, 2024]
    assert set(frame["pi1_score"]) == {"A"}
    # --year picks the last year: up to 2023 only two completed years are left
    earlier = scores(conn, year=2023)
    assert list(earlier["year"]) == [2022, 2023] and set(earlier["pi1_score"]) == {"—"}
    assert db.run_query(conn, "pefa_composition", level="district", year=2025)["year"].max() == 2024
    conn.close()


def test_outturn_is_the_cumulative_spending_at_december_carried_forward():
    # a project last reported in June carries its June figure to December (spend_to_month); the
    # year is complete through the other project's December row
    rows = [(y, "甲区", "A1", None, "100", "100", 12) for y in YEARS]
    rows += [(y, "甲区", "A2", None, "100", "40", 6) for y in YEARS]
    conn = pefa_db(rows)
    row = head(scores(conn), "甲区").loc[2025]
    assert row["outturn_yuan"] == Decimal("140.00") and row["outturn_ratio"] == 0.7
    conn.close()


# --- scale, scope and the report -------------------------------------------------------------------


def test_city_sized_sums_stay_exact():
    # two districts of 6,000亿元 and 4,000亿元 budget (in fen: 10^14), outturns 6,300亿 and
    # 3,700亿: k = 1, deviations 300亿 + 300亿 over 10,000亿 = 6% exactly → B
    rows = [
        (y, district, dept, None, budget, spent, 12)
        for y in YEARS
        for district, dept, budget, spent in (
            ("甲区", "A1", "600000000000.00", "630000000000.00"),
            ("乙区", "B1", "400000000000.00", "370000000000.00"),
        )
    ]
    conn = pefa_db(rows)
    row = scores(conn, "city").set_index("year").loc[2025]
    assert row["pi2_variance"] == 0.06 and row["pi2_score"] == "B"
    assert row["deviation_yuan"] == Decimal("60000000000.00")
    conn.close()


def test_the_scope_limits_the_heads_and_their_sub_heads(example):
    frame = scores(example, scope=Scope(departments=("A1", "A2")))
    row = head(frame, "甲区").loc[2025]
    # A1 and A2 alone: budgets 100/50, outturns 90/70 → k = 160 ÷ 150; deviations
    # |90 − 106.67| + |70 − 53.33| = 33.33… over 160 = 0.208333…
    assert row["initial_budget_yuan"] == Decimal("150.00") and row["sub_head_count"] == 2
    assert row["pi2_variance"] == truncated(Decimal(5000) / Decimal(24000))


# --- the functional view: 项目类别 as the PI-2 heads (domain: "a second, functional view") --


@pytest.fixture
def by_category():
    """The domain example across two departments: 甲区 D1 运行维护类 100 → 90 and 投资建设类
    50 → 70, D2 a project with no 项目类别 50 → 60; 乙区 D3 运行维护类 100 → 100."""
    projects = (
        ("甲区", "D1", "100", "90", "运行维护类"),
        ("甲区", "D1", "50", "70", "投资建设类"),
        ("甲区", "D2", "50", "60", None),
        ("乙区", "D3", "100", "100", "运行维护类"),
    )
    conn = pefa_db([(y, d, dept, None, b, a, 12) for y in YEARS for d, dept, b, a, _ in projects])
    for i, (*_, category) in enumerate(projects * len(YEARS), start=1):
        conn.execute(
            "update projects set category = ? where project_name = ?", [category, f"项目{i}"]
        )
    yield conn
    conn.close()


def test_pi2_by_category_is_the_domain_example_where_the_departments_agree(by_category):
    # 甲区 over its departments: D1 150 → 160, D2 50 → 60, k = 1.1: |160 − 165| + |60 − 55| = 10
    # over 220 = 4.5% → A; over its 项目类别 100/50/50 → 90/70/60: 40 over 220 = 18.2% → D
    departments = head(scores(by_category, "district"), "甲区").loc[2025]
    assert departments["pi2_variance"] == truncated(Decimal(10) / Decimal(220))
    assert departments["pi2_score"] == "A"
    functional = head(scores(by_category, "district_category"), "甲区")
    row = functional.loc[2025]
    assert row["level"] == "district_category" and row["sub_head_count"] == 3
    assert row["deviation_yuan"] == Decimal("40.00")
    assert row["pi2_variance"] == truncated(Decimal(40) / Decimal(220))
    assert (row["pi2_year_grade"], row["pi2_score"]) == ("D", "D")
    # PI-1 is the district's whatever the heads: 220 ÷ 200 = 110% → B
    assert (row["outturn_ratio"], row["pi1_score"]) == (1.1, departments["pi1_score"])
    parts = db.run_query(by_category, "pefa_composition", level="district_category", year=2025)
    parts = parts[(parts["code"] == "甲区") & (parts["year"] == 2025)].set_index("sub_name")
    assert dict(parts["deviation_yuan"]) == {
        "运行维护类": Decimal("20.00"),
        "投资建设类": Decimal("15.00"),
        "（未分类）": Decimal("5.00"),
    }
    # 乙区 has one 项目类别: no spread, A
    assert set(head(scores(by_category, "district_category"), "乙区")["pi2_score"]) == {"A"}


def test_the_citys_functional_view_is_over_every_districts_categories(by_category):
    # 运行维护类 200 → 190, 投资建设类 50 → 70, （未分类） 50 → 60: A = 320, B = 300;
    # Σ |a_i·B − A·b_i| = 7,000 + 5,000 + 2,000 = 14,000 over A·B = 96,000 = 14.58% → C
    row = head(scores(by_category, "city_category"), "全市").loc[2025]
    assert row["sub_head_count"] == 3
    assert row["pi2_variance"] == truncated(Decimal(14000) / Decimal(96000))
    assert row["pi2_year_grade"] == "C"
    assert row["deviation_yuan"] == Decimal("46.67")  # 14,000 ÷ 300, to the fen


def test_the_pefa_report_takes_a_level_and_other_reports_refuse_it(tmp_path, capsys):
    path = tmp_path / "pefa.duckdb"
    pefa_db([(y, "甲区", "A1", None, "100", "95", 12) for y in YEARS], str(path)).close()
    assert (
        cli.main(
            [
                "report",
                "pefa",
                "--db",
                str(path),
                "--year",
                "2025",
                "--level",
                "department",
                "--format",
                "json",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert '"level": "department"' in out and '"pi1_score": "A"' in out
    assert cli.main(["report", "pefa", "--db", str(path), "--year", "2025"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(
        "level,code,name,year,initial_budget_yuan,outturn_yuan,"
        "outturn_ratio,pi1_score,pi2_variance,pi2_score"
    )
    assert lines[1].startswith("district,甲区,甲区,2023,100.00,95.00,0.95,A,0.0,A,")
    assert (
        cli.main(
            ["report", "execution", "--db", str(path), "--year", "2025", "--level", "district"]
        )
        == 1
    )
    assert "--level" in capsys.readouterr().err


def test_the_pefa_table_exports_with_its_scores_as_letters(tmp_path, capsys):
    path = tmp_path / "pefa.duckdb"
    pefa_db([(y, "甲区", "A1", None, "100", "95", 12) for y in YEARS], str(path)).close()
    out = tmp_path / "pefa.xlsx"
    assert (
        cli.main(
            ["export", "table", "pefa", "--db", str(path), "--year", "2025", "--out", str(out)]
        )
        == 0
    )
    sheet = openpyxl.load_workbook(out).worksheets[-1]
    rows = list(sheet.iter_rows(min_row=2, max_row=3, values_only=True))
    assert rows[0][:10] == (
        "评价层级",
        "编码",
        "名称",
        "年度",
        "年初预算数（万元）",
        "决算支出（万元）",
        "决算÷年初预算",
        "PI-1评分",
        "支出结构偏差",
        "PI-2评分",
    )
    # 95 ÷ 100 = 0.95 → A; one department, variance 0 → A
    assert rows[1][:10] == ("district", "甲区", "甲区", 2023, 0.01, 0.0095, 0.95, "A", 0, "A")


def test_the_pefa_table_export_takes_the_level_too(tmp_path, capsys):
    path = tmp_path / "pefa.duckdb"
    pefa_db([(y, "甲区", "A1", None, "100", "95", 12) for y in YEARS], str(path)).close()
    out = tmp_path / "pefa.xlsx"
    assert (
        cli.main(
            [
                "export",
                "table",
                "pefa",
                "--db",
                str(path),
                "--year",
                "2025",
                "--level",
                "department",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    sheet = openpyxl.load_workbook(out).worksheets[-1]
    row = next(sheet.iter_rows(min_row=3, max_row=3, values_only=True))
    assert row[:3] == ("department", "A1", "A1局")
    assert (
        cli.main(
            [
                "export",
                "table",
                "execution",
                "--db",
                str(path),
                "--year",
                "2025",
                "--level",
                "district",
                "--out",
                str(out),
            ]
        )
        == 1
    )
    assert "--level" in capsys.readouterr().err
