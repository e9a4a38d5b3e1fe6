"""`perfbudget users …`, `perfbudget audit` and `--user NAME` on the other commands, on the hand
fixture (tests/hand_fixture.py): D01 区教育局 holds P001, P002, P003, P008; D02 区卫生健康委
P004, P005, P006, P009; D03 区保密办 (a sensitive department) P007. Here P008 is marked 涉密
too, so a D01 user without the sensitive right sees P001, P002, P003 only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys

import pytest
from openpyxl import load_workbook

from perfbudget import audit, cli, db, reports, users
from perfbudget.exit_codes import ExitCode
from tests.hand_fixture import YEAR, seed_hand_fixture
from tests.import_helpers import csv_bytes

PASSWORD = "a long enough password"
D01_PUBLIC = ["P001", "P002", "P003"]
D01_ALL = ["P001", "P002", "P003", "P008"]
EVERY_PROJECT = ["P001", "P002", "P003", "P004", "P005", "P006", "P007", "P008", "P009"]


@pytest.fixture
def hand_file(tmp_path):
    path = tmp_path / "hand.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    conn.execute("update projects set is_sensitive = true where project_code = 'P008'")
    conn.close()
    return path


def _stdin(monkeypatch, text: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(text))


def _add(monkeypatch, path, name, *options: str, password: str = PASSWORD) -> int:
    _stdin(monkeypatch, password + "\n")
    return cli.main(["users", "add", name, *options, "--db", str(path)])


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _report(path, *options: str) -> int:
    return cli.main(
        ["report", "execution", "--db", str(path), "--year", str(YEAR), "--month", "7", *options]
    )


@pytest.fixture
def with_users(hand_file, monkeypatch, capsys):
    assert _add(monkeypatch, hand_file, "ana", "--role", "analyst", "--departments", "D01") == 0
    assert _add(monkeypatch, hand_file, "bob", "--role", "analyst", "--departments", "D01") == 0
    assert _add(monkeypatch, hand_file, "sec", "--role", "leader", "--departments", "D01",
                "--sensitive") == 0  # fmt: skip
    assert _add(monkeypatch, hand_file, "lea", "--role", "leader") == 0
    assert _add(monkeypatch, hand_file, "adm", "--role", "admin", "--sensitive") == 0
    capsys.readouterr()
    return hand_file


# --- perfbudget users ----------------------------------------------------------------------------


def test_users_add_list_passwd_disable_with_the_password_on_stdin(hand_file, monkeypatch, capsys):
    assert not users.users_configured(hand_file)
    code = _add(monkeypatch, hand_file, "ana", "--role", "analyst", "--departments", "D01,D02")
    assert code == ExitCode.OK
    assert "user added: ana (分析员 analyst)" in capsys.readouterr().out
    assert users.users_configured(hand_file)
    assert users.authenticate(hand_file, "ana", PASSWORD) == users.User(
        "ana", "analyst", ("D01", "D02"), sensitive=False
    )

    assert cli.main(["users", "list", "--db", str(hand_file), "--format", "csv"]) == 0
    assert _csv(capsys.readouterr().out) == [
        {"name": "ana", "role": "analyst", "departments": "D01,D02", "sensitive": "False",
         "disabled": "False"},
    ]  # fmt: skip

    _stdin(monkeypatch, "another long password\r\n")
    assert cli.main(["users", "passwd", "ana", "--db", str(hand_file)]) == ExitCode.OK
    assert users.authenticate(hand_file, "ana", PASSWORD) is None
    assert users.authenticate(hand_file, "ana", "another long password") is not None

    assert cli.main(["users", "disable", "ana", "--db", str(hand_file)]) == ExitCode.OK
    assert users.authenticate(hand_file, "ana", "another long password") is None
    assert cli.main(["users", "list", "--db", str(hand_file), "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert json.loads(out[out.index("[") :])[0]["disabled"] is True

    # who changed what, by the local admin from the command line; no password in the log
    log = audit.read(hand_file, action=audit.USER_CHANGE)
    assert list(log["detail"]) == [
        "disable ana",
        "passwd ana",
        "add ana: role=analyst departments=D01,D02 sensitive=no",
    ]
    assert set(log["user"]) == {"local"} and all(o.startswith("cli") for o in log["origin"])
    assert not log["detail"].str.contains("password").any()


def test_users_refusals_change_nothing(hand_file, monkeypatch, capsys):
    assert _add(monkeypatch, hand_file, "ana", "--role", "admin", password="short") == 2
    assert "at least 8 characters" in capsys.readouterr().err
    assert _add(monkeypatch, hand_file, "ana", "--role", "admin") == 0
    assert _add(monkeypatch, hand_file, "ana", "--role", "leader") == ExitCode.REFUSED
    assert "ana exists already" in capsys.readouterr().err
    assert _add(monkeypatch, hand_file, "bob", "--role", "admin", password="") == ExitCode.USAGE
    assert "no password given" in capsys.readouterr().err
    assert cli.main(["users", "disable", "nobody", "--db", str(hand_file)]) == ExitCode.REFUSED
    _stdin(monkeypatch, PASSWORD + "\n")
    assert cli.main(["users", "passwd", "nobody", "--db", str(hand_file)]) == ExitCode.REFUSED
    assert "there is no user nobody" in capsys.readouterr().err
    assert [u.name for u in users.list_users(hand_file)] == ["ana"]
    # a password is never an argument
    with pytest.raises(SystemExit):
        cli.main(["users", "add", "eve", "--role", "admin", "--password", PASSWORD,
                  "--db", str(hand_file)])  # fmt: skip


def test_users_add_says_when_a_department_is_not_in_the_database(hand_file, monkeypatch, capsys):
    assert _add(monkeypatch, hand_file, "x", "--role", "leader", "--departments", "D01,D99") == 0
    err = capsys.readouterr().err
    assert "D99" in err and "D01" not in err


# --- report and export --user --------------------------------------------------------------------


def test_report_as_a_department_user_has_only_that_departments_public_projects(with_users, capsys):
    assert _report(with_users, "--user", "ana") == ExitCode.OK
    rows = _csv(capsys.readouterr().out)
    assert [r["project_code"] for r in rows] == D01_PUBLIC
    assert {r["department"] for r in rows} == {"区教育局"}
    # the same department with the sensitive right: P008 too, still not D03's P007
    assert _report(with_users, "--user", "sec") == ExitCode.OK
    assert [r["project_code"] for r in _csv(capsys.readouterr().out)] == D01_ALL
    # a leader of every department without the sensitive right: neither P007 nor P008
    assert _report(with_users, "--user", "lea") == ExitCode.OK
    assert [r["project_code"] for r in _csv(capsys.readouterr().out)] == [
        "P001", "P002", "P003", "P004", "P005", "P006", "P009"
    ]  # fmt: skip
    # no --user: the local admin, every project
    assert _report(with_users) == ExitCode.OK
    assert sorted(r["project_code"] for r in _csv(capsys.readouterr().out)) == EVERY_PROJECT


def test_the_warnings_report_as_a_department_user_names_none_of_another_departments(
    with_users, capsys
):
    code = cli.main(["report", "warnings", "--db", str(with_users), "--year", str(YEAR),
                     "--month", "7", "--user", "ana"])  # fmt: skip
    assert code == ExitCode.OK
    rows = _csv(capsys.readouterr().out)
    assert {r["project_code"] for r in rows if r["project_code"]} == set(D01_PUBLIC)
    # department-level flags: D01's disclosure gap only (the local admin sees D02's too)
    assert [r["rule"] for r in rows if not r["project_code"]] == ["disclosure_gap"]
    code = cli.main(["report", "warnings", "--db", str(with_users), "--year", str(YEAR),
                     "--month", "7"])  # fmt: skip
    assert code == ExitCode.OK
    every = _csv(capsys.readouterr().out)
    assert [r["rule"] for r in every if not r["project_code"]] == ["disclosure_gap"] * 2


def test_an_unknown_or_disabled_user_is_refused_with_exit_5(with_users, capsys):
    assert _report(with_users, "--user", "nobody") == ExitCode.UNKNOWN_USER
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "没有用户 nobody" in captured.err and "there is no user nobody" in captured.err
    assert cli.main(["users", "disable", "bob", "--db", str(with_users)]) == 0
    capsys.readouterr()
    assert _report(with_users, "--user", "bob") == ExitCode.UNKNOWN_USER
    assert "the user bob is disabled" in capsys.readouterr().err
    out = with_users.parent / "t.xlsx"
    code = cli.main(["export", "table", "execution", "--db", str(with_users), "--year",
                     str(YEAR), "--month", "7", "--user", "nobody", "--out", str(out)])  # fmt: skip
    assert code == ExitCode.UNKNOWN_USER and not out.exists()


def _workbook_codes(path) -> set[str]:
    book = load_workbook(path)
    return {
        str(c.value)
        for ws in book.worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value in EVERY_PROJECT
    }


def _export_table(path, out, *options: str) -> int:
    return cli.main(["export", "table", "execution", "--db", str(path), "--year", str(YEAR),
                     "--month", "7", "--out", str(out), *options])  # fmt: skip


def test_export_table_as_a_user_and_public_exports_never_hold_a_sensitive_project(
    with_users, tmp_path
):
    assert _export_table(with_users, tmp_path / "ana.xlsx", "--user", "ana") == 0
    assert _workbook_codes(tmp_path / "ana.xlsx") == set(D01_PUBLIC)
    assert _export_table(with_users, tmp_path / "sec.xlsx", "--user", "sec") == 0
    assert _workbook_codes(tmp_path / "sec.xlsx") == set(D01_ALL)
    # public, whoever asks: the sensitive admin, the sensitive department user, no --user
    assert _export_table(with_users, tmp_path / "p1.xlsx", "--user", "adm", "--public") == 0
    assert _workbook_codes(tmp_path / "p1.xlsx") == set(EVERY_PROJECT) - {"P007", "P008"}
    assert _export_table(with_users, tmp_path / "p2.xlsx", "--user", "sec", "--public") == 0
    assert _workbook_codes(tmp_path / "p2.xlsx") == set(D01_PUBLIC)
    assert _export_table(with_users, tmp_path / "p3.xlsx", "--public") == 0
    assert _workbook_codes(tmp_path / "p3.xlsx") == set(EVERY_PROJECT) - {"P007", "P008"}


def test_a_briefing_for_another_department_is_refused_to_a_department_user(with_users, tmp_path):
    out = tmp_path / "b.xlsx"
    code = cli.main(["export", "briefing", "--db", str(with_users), "--year", str(YEAR),
                     "--month", "7", "--scope", "D02", "--user", "ana", "--out", str(out)])  # fmt: skip
    assert code == ExitCode.USAGE and not out.exists()  # no data in the user's scope


# --- the audit log -------------------------------------------------------------------------------


def test_the_audit_command_lists_at_user_action_detail_with_reports_and_exports(
    with_users, tmp_path, capsys
):
    start = dt.datetime.now().replace(microsecond=0)
    assert _report(with_users, "--user", "ana", "--format", "json") == 0
    assert _export_table(with_users, tmp_path / "t.xlsx", "--user", "lea", "--public") == 0
    capsys.readouterr()
    code = cli.main(["audit", "--db", str(with_users), "--since", str(start), "--action",
                     "export"])  # fmt: skip
    assert code == ExitCode.OK
    out = capsys.readouterr().out
    assert out.splitlines()[0].split(",")[:4] == ["at", "user", "action", "detail"]
    rows = _csv(out)
    assert [(r["user"], r["action"]) for r in rows] == [("lea", "export"), ("ana", "export")]
    assert rows[1]["detail"] == "report execution 2025-07 (json, 3 rows)"
    assert rows[0]["detail"].startswith("table execution 2025-07 公开 (7 rows) → ")
    assert all(dt.datetime.fromisoformat(r["at"]) >= start for r in rows)
    assert all(r["origin"].startswith("cli") for r in rows)

    assert cli.main(["audit", "--db", str(with_users), "--by", "ana", "--format", "json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert list(records[0])[:4] == ["at", "user", "action", "detail"]
    assert {r["user"] for r in records} == {"ana"}
    assert cli.main(["audit", "--db", str(with_users), "--action", "user_change"]) == 0
    assert len(_csv(capsys.readouterr().out)) == 5  # the five users of the fixture
    tomorrow = str(dt.date.today() + dt.timedelta(days=1))
    assert cli.main(["audit", "--db", str(with_users), "--since", tomorrow]) == ExitCode.OK
    assert capsys.readouterr().out == "at,user,action,detail,origin\n"
    assert cli.main(["audit", "--db", str(with_users), "--since", "soon"]) == ExitCode.USAGE
    assert cli.main(["audit", "--db", str(tmp_path / "none.duckdb")]) == ExitCode.USAGE


# --- import, rollback, restore --user --------------------------------------------------------------

PROJECTS = ["年度", "项目编码", "项目名称", "主管部门", "调整后预算数"]


def _file(tmp_path, name: str = "p.csv"):
    path = tmp_path / name
    path.write_bytes(csv_bytes([PROJECTS, [2025, "P9", "甲", "财政局", 1200000]]))
    return path


def test_import_user_stays_free_text_when_no_users_are_configured(tmp_path, capsys):
    path = tmp_path / "x.duckdb"
    code = cli.main(["import", "--db", str(path), "--user", "财政局长", str(_file(tmp_path))])
    assert code == ExitCode.OK
    conn = db.connect(path, read_only=True)
    assert conn.execute("select imported_by from import_batches").fetchall() == [("财政局长",)]
    conn.close()
    log = audit.read(path)
    assert list(zip(log["user"], log["action"], strict=True)) == [("财政局长", "import")]
    assert log["detail"].iloc[0] == "batch 1: p.csv (template:projects, 1 rows)"


def test_import_and_rollback_apply_a_configured_users_rights(with_users, tmp_path, capsys):
    db_ = str(with_users)
    file = str(_file(tmp_path))
    assert cli.main(["import", "--db", db_, "--user", "lea", file]) == ExitCode.FORBIDDEN
    assert "lea" in capsys.readouterr().err
    assert cli.main(["import", "--db", db_, "--user", "ana", file]) == ExitCode.OK
    batch = str(
        db.connect(with_users, read_only=True).execute("select max(batch_id) from import_batches")
        .fetchall()[0][0]
    )  # fmt: skip
    # another analyst may not roll back ana's batch; a leader may roll back nothing
    assert cli.main(["rollback", batch, "--db", db_, "--user", "bob"]) == ExitCode.FORBIDDEN
    assert "may not roll back another's batch" in capsys.readouterr().err
    assert cli.main(["rollback", batch, "--db", db_, "--user", "lea"]) == ExitCode.FORBIDDEN
    assert cli.main(["rollback", batch, "--db", db_, "--user", "ana"]) == ExitCode.OK
    assert cli.main(["restore", batch, "--db", db_, "--user", "adm"]) == ExitCode.OK
    # a name that is no configured user is recorded as given (the command line's own admin)
    assert cli.main(["rollback", batch, "--db", db_, "--user", "审计处"]) == ExitCode.OK
    log = audit.read(with_users, action=None)
    acts = [(u, a) for u, a in zip(log["user"], log["action"], strict=True) if a != "user_change"]
    assert acts == [("审计处", "rollback"), ("adm", "restore"), ("ana", "rollback"),
                    ("ana", "import")]  # fmt: skip


def test_a_public_briefing_holds_no_sensitive_project_even_for_a_sensitive_admin(
    with_users, tmp_path
):
    out = tmp_path / "brief.xlsx"
    code = cli.main(["export", "briefing", "--db", str(with_users), "--year", str(YEAR),
                     "--month", "7", "--public", "--user", "adm", "--out", str(out)])  # fmt: skip
    assert code == ExitCode.OK
    codes = _workbook_codes(out)
    assert codes and not codes & {"P007", "P008"}
    internal = tmp_path / "internal.xlsx"
    code = cli.main(["export", "briefing", "--db", str(with_users), "--year", str(YEAR),
                     "--month", "7", "--user", "adm", "--out", str(internal)])  # fmt: skip
    assert code == ExitCode.OK
    assert {"P007", "P008"} <= _workbook_codes(internal)  # the check above can fail


def test_users_beside_a_held_database_exit_3_and_say_why(hand_file, monkeypatch, capsys):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time\n"
         f"c = duckdb.connect({str(hand_file)!r}); print('ready', flush=True); time.sleep(60)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        assert _add(monkeypatch, hand_file, "ana", "--role", "admin") == ExitCode.BUSY
        err = capsys.readouterr().err
        assert "stop the dashboard, then run this command again" in err and "请先停止看板" in err
    finally:
        holder.kill()
        holder.wait()
    assert not users.users_configured(hand_file)


# --- every report, as a department user ---------------------------------------------------

NOT_D01_PUBLIC = ["P004", "P005", "P006", "P007", "P008", "P009"]


@pytest.mark.parametrize("name", sorted(reports.REPORTS))
def test_every_report_of_a_department_user_holds_only_their_department_s_projects(
    with_users, capsys, name
):
    """--user applies the user's Scope to every report, the same path as the pages: ana
    (analyst of D01, no sensitive right) gets no project of D02 or D03 and not the 涉密 P008,
    whatever the report; the local admin's run of the same report is the control."""
    year = YEAR + 1 if name == "budget_review" else YEAR
    options = ["--db", str(with_users), "--year", str(year), "--format", "csv"]
    if name not in {"budget_review", "pefa", "costs", "cost_classes", "selfeval", "disclosure"}:
        options += ["--month", "7"]
    assert cli.main(["report", name, *options]) == ExitCode.OK
    everything = capsys.readouterr().out
    assert cli.main(["report", name, *options, "--user", "ana"]) == ExitCode.OK
    mine = capsys.readouterr().out
    leaked = [code for code in NOT_D01_PUBLIC if code in mine]
    assert not leaked, f"{name} gives ana {leaked}"
    if any(code in everything for code in EVERY_PROJECT):  # a report that names projects
        assert any(code in mine for code in D01_PUBLIC) or name == "budget_review"
