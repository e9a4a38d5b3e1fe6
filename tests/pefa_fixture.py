"""PEFA fixtures built in code: small databases of heads and years whose PI-1 and PI-2 figures
can be worked out by hand (tests/queries/test_pefa.py), and two earlier years for the hand fixture
(tests/hand_fixture.py) so that the pefa report has rows on it (tests/cli/test_cli.py,
tests/cli/test_golden_reports.py).

The hand fixture's years, as seed_pefa_years leaves them (initial budgets as in 2025: D01
23,000,000 = P001 1,200,000 + P002 800,000 + P003 20,000,000 + P008 1,000,000; D02 1,300,000 =
P004 500,000 + P005 500,000 + P006 0 + P009 300,000; D03 100,000; the district 24,400,000):
- 2023: every project spends its initial budget by December: each ratio 1 → A; PI-2 variance 0.
- 2024: every project spends 0.9 × its initial budget: each ratio 0.9 exactly → B (90% is in B's
  band, bounds inclusive); variance 0 → A.
- 2025: P001 reports December, 1,200,000; the others carry July forward (spend_to_month). D01
  1,200,000 + 350,000 + 7,000,000 + 500,000 = 9,050,000 ÷ 23,000,000 = 0.393478… → D; D02
  575,000 + 550,000 + 0 + 0 = 1,125,000 ÷ 1,300,000 = 0.865384… → C; D03 10,000 ÷ 100,000 = 0.1 → D;
  the district 10,185,000 ÷ 24,400,000 = 0.417418… → D. Its PI-2 over D01–D03: k = 0.417418…,
  |a_i − k·b_i| = 550,614.75 + 582,356.56 + 31,741.80 = 1,164,713.11 (exactly 71,047,500 ÷ 61),
  and the variance 1,164,713.11… ÷ 10,185,000 = 0.114355… → C.
- Scores: the district PI-1 A, B, D → B (two years B or better); PI-2 A, A, C → A. D01 A, B, D →
  B; D02 A, B, C → B; D03 A, B, D → B. A department's PI-2 is over its units; the hand fixture
  has none, so each department is one sub-head: variance 0, A.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb

from perfbudget import db


def seed_pefa_years(conn: duckdb.DuckDBPyConnection) -> None:
    """The hand fixture's 2025 projects again in 2023 (spending = initial budget at December)
    and 2024 (0.9 × initial budget), and a December 2025 row for P001 (1,200,000)."""
    for year, share in ((2023, Decimal("1")), (2024, Decimal("0.9"))):
        conn.execute(
            "insert into projects (year, project_code, project_name, department_code, budget_type,"
            " adjusted_budget_yuan, initial_budget_yuan) select ?, project_code, project_name,"
            " department_code, budget_type, adjusted_budget_yuan, initial_budget_yuan"
            " from projects where year = 2025",
            [year],
        )
        conn.execute(
            "insert into spending (year, month, project_code, cumulative_yuan) select ?, 12,"
            " project_code, initial_budget_yuan * ? from projects where year = ?",
            [year, share, year],
        )
    conn.execute(
        "insert into spending (year, month, project_code, cumulative_yuan)"
        " values (2025, 12, 'P001', 1200000)"
    )


# A project of a fixture: year, district, department, unit (None: none), initial budget 元,
# cumulative spending 元 at its last month, and that month (12 unless a year is incomplete)
Row = tuple[int, str, str, "str | None", str, str, int]


def pefa_db(rows: list[Row], path: str | None = None) -> duckdb.DuckDBPyConnection:
    """A fresh database (in memory, or a new file at `path`) holding these projects, one each,
    its department named <code>局 in its district, its unit <code>单位."""
    conn = db.connect(path)
    districts = sorted({r[1] for r in rows})
    conn.executemany("insert into districts values (?)", [[d] for d in districts])
    departments = sorted({(r[2], r[1]) for r in rows})
    conn.executemany(
        "insert into departments (department_code, department_name, district_name) values (?, ?, ?)",
        [[code, f"{code}局", district] for code, district in departments],
    )
    units = sorted({(r[3], r[2]) for r in rows if r[3] is not None})
    for code, dept in units:
        conn.execute(
            "insert into units (unit_code, unit_name, department_code) values (?, ?, ?)",
            [code, f"{code}单位", dept],
        )
    for i, (year, _district, dept, unit, budget, spent, month) in enumerate(rows, start=1):
        code = f"{year}-{i:03d}"
        conn.execute(
            "insert into projects (year, project_code, project_name, department_code, unit_code,"
            " initial_budget_yuan, adjusted_budget_yuan) values (?, ?, ?, ?, ?, ?, ?)",
            [year, code, f"项目{i}", dept, unit, Decimal(budget), Decimal(budget)],
        )
        conn.execute(
            "insert into spending (year, month, project_code, cumulative_yuan) values (?, ?, ?, ?)",
            [year, month, code, Decimal(spent)],
        )
    return conn
