"""The audit log (perfbudget/audit.py): append-only, written by every write below the pages in
that write's own transaction (an import, a rollback, a restore, a follow-up, a threshold or a
setting), read newest first with filters."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from perfbudget import audit, db, flags, settings_store
from perfbudget.importer import ImportRejected, import_files, restore_batch, rollback_batch
from tests.import_helpers import csv_bytes

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = ["年度", "项目编码", "项目名称", "主管部门", "调整后预算数"]


@pytest.fixture
def conn():
    c = db.connect()
    yield c
    c.close()


def _projects(code: str = "P1") -> tuple[str, bytes]:
    return (f"{code}.csv", csv_bytes([PROJECTS, [2025, code, "甲", "财政局", 1200000]]))


def _log(conn) -> list[tuple[str, str, str, str]]:
    return [
        (r.user, r.action, r.detail, r.origin) for r in audit.read(conn).itertuples(index=False)
    ]


def test_record_and_read_newest_first_with_filters(conn):
    audit.record(conn, user="ana", action=audit.SIGN_IN, detail="", origin="10.0.0.5")
    audit.record(conn, user="bob", action=audit.SIGN_IN_FAILED, detail="wrong password")
    audit.record(conn, user="ana", action=audit.DOWNLOAD, detail="execution.xlsx")
    log = audit.read(conn)
    assert list(log.columns) == ["at", "user", "action", "detail", "origin"]
    assert list(log["action"]) == ["download", "sign_in_failed", "sign_in"]
    assert list(audit.read(conn, user="ana")["action"]) == ["download", "sign_in"]
    assert list(audit.read(conn, action="sign_in_failed")["user"]) == ["bob"]
    today = dt.date.today()
    assert len(audit.read(conn, since=today)) == 3
    assert len(audit.read(conn, since=today + dt.timedelta(days=1))) == 0
    assert len(audit.read(conn, until=today)) == 0
    assert len(audit.read(conn, since=str(today), until=today + dt.timedelta(days=1))) == 3
    with pytest.raises(ValueError, match="not a date or time"):
        audit.read(conn, since="last tuesday")
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(conn, user="ana", action="delete", detail="")


def test_an_import_is_logged_in_its_transaction(conn):
    import_files(conn, [_projects()], user="ana", origin="cli@host")
    assert _log(conn) == [
        ("ana", "import", "batch 1: P1.csv (template:projects, 1 rows)", "cli@host")
    ]
    # a refused import writes nothing, its audit row included
    with pytest.raises(ImportRejected):
        import_files(conn, [("bad.csv", b"\xff\xfe nonsense")], user="ana")
    assert len(audit.read(conn)) == 1


def test_an_import_failing_at_write_rolls_its_audit_row_back(conn, monkeypatch):
    from perfbudget.importer import api

    def broken(*args, **kwargs):
        raise duckdb.ConstraintException("simulated")

    monkeypatch.setattr(api.results, "invalidate_batch", broken)
    with pytest.raises(ImportRejected):
        import_files(conn, [_projects()], user="ana")
    assert audit.read(conn).empty
    assert conn.execute("select count(*) from import_batches").fetchall()[0][0] == 0


def test_rollback_and_restore_are_logged_with_who(conn):
    import_files(conn, [_projects()], user="ana")
    rollback_batch(conn, 1, "bob", origin="dashboard")
    restore_batch(conn, 1, "carol")
    assert _log(conn)[:2] == [
        ("carol", "restore", "batch 1: P1.csv", ""),
        ("bob", "rollback", "batch 1: P1.csv", "dashboard"),
    ]


def test_a_follow_up_is_logged(conn):
    flags.record_followup(
        conn, year=2025, project_code="P003", department_code="D01", rule_id="slow_spending",
        as_of_month=7, status="已关注", note="约谈", user="局长", origin="dashboard",
    )  # fmt: skip
    assert _log(conn) == [
        ("局长", "follow_up", "2025 P003 slow_spending (month 7): 已关注", "dashboard")
    ]


def test_threshold_and_setting_changes_are_logged_old_to_new(conn):
    key = ("general", "first_warning_month")
    old = settings_store.read_thresholds(conn)[key]
    assert settings_store.save_thresholds(conn, {key: 11}, user="adm") == 1
    assert settings_store.save_thresholds(conn, {key: 11}, user="adm") == 0  # no change: no row
    settings_store.save_settings(conn, {"time_progress_basis": "day"}, user="adm")
    settings_store.reset_defaults(conn, user="root", origin="cli")
    assert _log(conn) == [
        ("root", "settings_change", "every threshold and setting reset to the defaults", "cli"),
        ("adm", "settings_change", "setting time_progress_basis: month → day", ""),
        (
            "adm",
            "settings_change",
            f"threshold general.first_warning_month: {old} → {Decimal(11)}",
            "",
        ),
    ]
    assert old == Decimal(3)


def test_a_refused_setting_is_not_logged(conn):
    with pytest.raises(settings_store.SettingsRejected):
        settings_store.save_thresholds(conn, {("general", "first_warning_month"): 13})
    assert audit.read(conn).empty


# --- append-only -------------------------------------------------------------------------------

_CHANGE_AUDIT = re.compile(
    r"\b(update|delete\s+from|truncate|drop\s+table(\s+if\s+exists)?|alter\s+table)\s+"
    r"(main\.)?audit_log\b",
    re.IGNORECASE,
)


def test_no_code_updates_or_deletes_audit_rows():
    sources = [*ROOT.glob("perfbudget/**/*.py"), *ROOT.glob("perfbudget/**/*.sql")]
    sources += [*ROOT.glob("queries/*.sql"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]
    assert len(sources) > 50
    offenders = [
        f"{p.relative_to(ROOT)}: {m.group(0)}"
        for p in sources
        for m in _CHANGE_AUDIT.finditer(p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
    # the pattern itself finds what it must
    assert _CHANGE_AUDIT.search('conn.execute("DELETE FROM audit_log where 1")')
    assert _CHANGE_AUDIT.search("update audit_log set detail = ''")
    assert not _CHANGE_AUDIT.search("insert into audit_log (logged_at) values (?)")


def test_the_public_functions_cannot_change_or_remove_a_row(conn):
    audit.record(conn, user="ana", action=audit.IMPORT, detail="batch 1")
    hostile = "x'); delete from audit_log; --"
    audit.record(conn, user=hostile, action=audit.EXPORT, detail=hostile, origin=hostile)
    assert audit.read(conn, user=hostile)["detail"].tolist() == [hostile]
    assert audit.read(conn, user="' or 1=1 --").empty
    with pytest.raises(ValueError):
        audit.read(conn, since="2025-01-01'; delete from audit_log; --")
    with pytest.raises(ValueError):
        audit.record(conn, user="ana", action="delete from audit_log", detail="")
    log = audit.read(conn)
    assert list(log["user"]) == [hostile, "ana"]
    assert not hasattr(audit, "delete") and not hasattr(audit, "update")
    public = [n for n in dir(audit) if not n.startswith("_") and callable(getattr(audit, n))]
    assert {n for n in public if n.islower()} <= {"record", "record_to", "read"}
