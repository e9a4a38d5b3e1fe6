"""The command line as scripts use it: report names and columns, exit codes, import refusal
with the database unchanged, and the plain message when the dashboard holds the database."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from perfbudget import cli, db
from tests.budget_request_fixture import seed_budget_review
from tests.hand_fixture import seed_hand_costs, seed_hand_fixture
from tests.pefa_fixture import seed_pefa_years

# Every report's columns, in order, as scripts read them: a column is added at the END of its
# list here and in the report, never renamed, removed or moved.
REPORT_COLUMNS = {
    "execution": [
        "project_code",
        "project_name",
        "department",
        "adjusted_budget_yuan",
        "spent_yuan",
        "execution_rate",
        "time_progress",
        "pace",
        "gap_pp",
        "light",
    ],
    "attainment": [
        "project_code",
        "indicator",
        "level1",
        "level2",
        "operator",
        "target",
        "actual",
        "attainment",
        "progress",
        "light",
        "actual_month",
        "is_reported",
    ],
    "warnings": ["project_code", "rule", "severity", "value", "threshold", "message"],
    "selfeval": [
        "project_name",
        "department",
        "execution_rate",
        "execution_score",
        "indicator_score",
        "total_score",
        "grade",
        "claimed_total_score",
        "claimed_grade",
        "is_over_scored",
        "score_difference",
        "project_code",
        "status",
        "missing_indicator_count",
    ],
    "forecast": [
        "project_code",
        "project_name",
        "department",
        "adjusted_budget_yuan",
        "spent_yuan",
        "execution_rate",
        "curve_source",
        "curve_years",
        "typical_share",
        "forecast_spend_yuan",
        "forecast_execution_rate",
        "forecast_balance_rate",
        "is_flagged",
    ],
    "rectification": [
        "project_code",
        "project_name",
        "department",
        "issue",
        "feedback_date",
        "due_date",
        "done_date",
        "status",
        "days_open",
        "days_overdue",
    ],
    "disclosure": [
        "department_code",
        "department",
        "project_count",
        "large_project_count",
        "large_undisclosed_count",
        "disclosed_budget_yuan",
        "total_budget_yuan",
        "coverage",
        "meets_coverage",
    ],
    "departments": [
        "rank",
        "department_code",
        "department",
        "score",
        "execution_part",
        "targets_part",
        "selfeval_part",
        "rectification_part",
        "disclosure_part",
    ],
    "pefa": [
        "level",
        "code",
        "name",
        "year",
        "initial_budget_yuan",
        "outturn_yuan",
        "outturn_ratio",
        "pi1_score",
        "pi2_variance",
        "pi2_score",
        "pi1_year_grade",
        "pi2_year_grade",
        "deviation_yuan",
        "sub_head_count",
        "year_count",
        "project_count",
    ],
    "costs": [
        "project_code",
        "project_name",
        "department",
        "service_class",
        "output_unit",
        "total_cost_yuan",
        "output_quantity",
        "unit_cost_yuan",
        "reference_unit_cost_yuan",
        "reference_basis",
        "deviation",
        "is_outlier",
        "excluded_reason",
        "suggested_standard_yuan",
        "suggested_deviation",
    ],
    "cost_classes": [
        "service_class",
        "output_unit",
        "project_count",
        "median_unit_cost_yuan",
        "p25_unit_cost_yuan",
        "p75_unit_cost_yuan",
        "standard_unit_cost_yuan",
        "suggested_standard_yuan",
        "meeting_suggested_count",
        "outlier_count",
        "previous_median_unit_cost_yuan",
    ],
    "budget_review": [
        "project_code",
        "project_name",
        "department",
        "requested_amount_yuan",
        "planned_output_quantity",
        "requested_unit_cost_yuan",
        "reference_unit_cost_yuan",
        "reference_basis",
        "cost_cap_yuan",
        "result_cap_yuan",
        "grade",
        "suggested_amount_yuan",
        "reasons",
        "department_code",
        "service_class",
        "output_unit",
        "is_new",
        "reference_year",
        "reference_deviation",
        "previous_project_code",
        "previous_spent_yuan",
        "previous_execution_rate",
        "previous_balance_rate",
        "reasons_en",
    ],
}


@pytest.fixture
def hand_file(tmp_path) -> Path:
    path = tmp_path / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    conn.close()
    return path


def run_cli(capsys, *args) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


# Reports over tables the hand fixture leaves empty: their rows come from these seeds
EXTRA_SEEDS = {
    "costs": seed_hand_costs,
    "cost_classes": seed_hand_costs,
    # requests of 2025 (--year is the requested year) and their year before
    "budget_review": lambda conn: seed_budget_review(conn, 2025),
}


# Reports over completed years (December spending), which the hand fixture's one year to July
# lacks: two earlier years and a December are seeded first (tests/pefa_fixture.py)
MORE_YEARS = {"pefa": seed_pefa_years}


@pytest.mark.parametrize("name", sorted(REPORT_COLUMNS))
def test_report_columns_are_the_contract(name, hand_file, capsys):
    if name in MORE_YEARS:
        conn = db.connect(hand_file)
        MORE_YEARS[name](conn)
        conn.close()
    if name in EXTRA_SEEDS:
        conn = db.connect(hand_file)
        EXTRA_SEEDS[name](conn)
        conn.close()
    code, out, _ = run_cli(capsys, "report", name, "--db", hand_file, "--year", 2025, "--month", 7)
    assert code == 0
    header = next(csv.reader(io.StringIO(out)))
    assert header[: len(REPORT_COLUMNS[name])] == REPORT_COLUMNS[name]
    assert header == REPORT_COLUMNS[name]
    # json carries the same keys in the same order (the hand fixture has no rectification
    # item, so that report's json is an empty list)
    _, out, _ = run_cli(
        capsys, "report", name, "--db", hand_file, "--year", 2025, "--month", 7, "--format", "json"
    )
    records = json.loads(out)
    assert all(list(record) == REPORT_COLUMNS[name] for record in records)
    assert bool(records) == (name != "rectification")


def test_every_report_the_cli_offers_has_its_columns_pinned(capsys):
    with pytest.raises(SystemExit):
        cli.main(["report", "--help"])
    # the choices of NAME, as argparse lists them in the help: {attainment,departments,…}
    choices = re.findall(r"\{([a-z_,]+)\}", capsys.readouterr().out)
    offered = next(c for c in choices if "execution" in c.split(",")).split(",")
    assert sorted(offered) == sorted(REPORT_COLUMNS)


def test_execution_report_figures_as_fractions(hand_file, capsys):
    _, out, _ = run_cli(
        capsys,
        "report",
        "execution",
        "--db",
        hand_file,
        "--year",
        2025,
        "--month",
        7,
        "--format",
        "json",
    )
    rows = {r["project_code"]: r for r in json.loads(out)}
    assert rows["P001"]["pace"] == 0.8
    assert rows["P001"]["spent_yuan"] == 560000.0
    assert rows["P003"]["gap_pp"] == pytest.approx(-23.3333, abs=1e-3)
    assert rows["P006"]["execution_rate"] is None


def test_report_month_defaults_to_the_last_reported(hand_file, capsys):
    _, out, _ = run_cli(
        capsys, "report", "execution", "--db", hand_file, "--year", 2025, "--format", "json"
    )
    assert json.loads(out)[0]["time_progress"] == pytest.approx(7 / 12)


def test_report_table_format_and_missing_database(tmp_path, hand_file, capsys):
    code, out, _ = run_cli(
        capsys,
        "report",
        "warnings",
        "--db",
        hand_file,
        "--year",
        2025,
        "--month",
        7,
        "--format",
        "table",
    )
    assert code == 0 and "slow_spending" in out
    code, _, err = run_cli(
        capsys, "report", "execution", "--db", tmp_path / "none.duckdb", "--year", 2025
    )
    assert code == 1 and "demo" in err


def test_import_summary_and_refusal_leave_the_database_unchanged(tmp_path, hand_file, capsys):
    good = tmp_path / "execution.csv"
    good.write_text("年度,月份,项目编码,累计支出（万元）\n2025,8,P001,60.5\n", encoding="utf-8")
    code, out, _ = run_cli(capsys, "import", "--db", hand_file, good)
    assert code == 0, out
    conn = db.connect(hand_file, read_only=True)
    spent = conn.execute(
        "select cumulative_yuan from spending where project_code = 'P001' and month = 8"
    ).fetchall()
    before = conn.execute("select count(*) from spending").fetchall()
    conn.close()
    assert str(spent[0][0]) == "605000.00"

    bad = tmp_path / "bad.csv"
    bad.write_text("年度,月份,项目编码,累计支出\n2025,9,P001,约30万\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "import", "--db", hand_file, bad)
    assert code == 2
    assert "bad.csv" in err and "累计支出" in err and "3" in err
    conn = db.connect(hand_file, read_only=True)
    assert conn.execute("select count(*) from spending").fetchall() == before
    conn.close()


def test_import_beside_a_running_dashboard_says_so(tmp_path, hand_file):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
            import duckdb, sys, time
            conn = duckdb.connect({str(hand_file)!r})
            print("ready", flush=True)
            time.sleep(60)
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        sheet = tmp_path / "execution.csv"
        sheet.write_text("年度,月份,项目编码,累计支出\n2025,8,P001,1\n", encoding="utf-8")
        started = time.monotonic()
        result = subprocess.run(
            [sys.executable, "-m", "perfbudget", "import", "--db", str(hand_file), str(sheet)],
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        assert time.monotonic() - started < 30
        assert result.returncode == 3
        assert "正被另一个进程" in result.stderr and "数据导入" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        holder.kill()
        holder.wait()
