"""perfbudget.reports, shared by `perfbudget report` and `perfbudget export table`: the one
request check and as-of month, and the exit codes (perfbudget.exit_codes) as the README lists
them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from perfbudget import cli, db, reports
from perfbudget.exit_codes import ExitCode
from perfbudget.export import commands
from tests.hand_fixture import seed_hand_fixture

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def hand_file(tmp_path) -> Path:
    path = tmp_path / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    # a spending row of 2024 in March only, to tell a year's last month from another's
    conn.execute(
        "insert into spending (year, month, project_code, cumulative_yuan) "
        "values (2024, 3, 'P001', 1.00)"
    )
    conn.close()
    return path


def test_the_last_month_is_the_years_last_with_spending_and_none_without(hand_file):
    conn = db.connect(hand_file, read_only=True)
    try:
        # the hand fixture's 2025 spending runs to July; 2024 has March only; 2030 nothing
        assert reports.last_month(conn, 2025) == 7
        assert reports.last_month(conn, 2024) == 3
        assert reports.last_month(conn, 2030) is None
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("year", "month", "as_of"), [(2025, None, 7), (2024, None, 3), (2030, None, 12), (2025, 2, 2)]
)
def test_the_as_of_month_is_the_given_one_else_the_last_with_spending_else_12(
    hand_file, year, month, as_of
):
    conn, got = reports.open_read_only(hand_file, year, month)
    conn.close()
    assert got == as_of


@pytest.mark.parametrize("month", [0, 13, -1])
def test_a_month_outside_1_to_12_is_refused_before_the_database_opens(tmp_path, month):
    missing = tmp_path / "none.duckdb"
    path = tmp_path / "hand.duckdb"
    db.connect(path).close()
    with pytest.raises(reports.RequestError, match="--month must be 1–12"):
        reports.open_read_only(path, 2025, month)
    with pytest.raises(reports.RequestError, match="no database at"):
        reports.open_read_only(missing, 2025, month)
    assert not missing.exists()


def test_report_and_export_table_refuse_the_same_request_with_the_same_words(
    tmp_path, hand_file, capsys
):
    for args in (
        ["--db", str(tmp_path / "none.duckdb"), "--year", "2025"],
        ["--db", str(hand_file), "--year", "2025", "--month", "13"],
    ):
        assert cli.main(["report", "execution", *args]) == ExitCode.USAGE
        report_err = capsys.readouterr().err
        out = str(tmp_path / "t.xlsx")
        assert cli.main(["export", "table", "execution", *args, "--out", out]) == ExitCode.USAGE
        assert capsys.readouterr().err == report_err != ""
        assert not Path(out).exists()


def test_the_export_commands_take_the_registry_of_perfbudget_reports():
    assert commands.REPORTS is reports.REPORTS


def test_every_exit_code_is_documented_in_its_docstring_and_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## 命令行 Command line") :]
    section = section[: section.index("\n## ", 1)]
    table = dict(re.findall(r"^\| (\d+) \| (.+) \|$", section, re.MULTILINE))
    assert sorted(int(code) for code in table) == [code.value for code in ExitCode]
    doc = ExitCode.__doc__ or ""
    for code in ExitCode:
        assert f"{code.name} ({code.value}):" in doc, code
