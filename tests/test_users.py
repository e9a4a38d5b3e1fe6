"""The users store (perfbudget/users.py): argon2 hashes, sign-in, roles and their rights, the
Scope a user sees, the table a database of the previous version gets on open."""

from __future__ import annotations

import pytest

from perfbudget import audit, db, users
from perfbudget.scope import Scope

PASSWORD = "correct horse battery"


@pytest.fixture
def conn():
    c = db.connect()
    yield c
    c.close()


def test_a_password_is_stored_as_a_salted_argon2id_hash_that_verifies(conn):
    users.add_user(conn, "ana", role="analyst", password=PASSWORD, departments=["D01"])
    users.add_user(conn, "bob", role="analyst", password=PASSWORD)
    hashes = dict(conn.execute("select user_name, password_hash from users").fetchall())
    assert hashes["ana"].startswith("$argon2id$")
    assert PASSWORD not in hashes["ana"]
    assert hashes["ana"] != hashes["bob"]  # salted: one password, two hashes
    assert users.verify_password(hashes["ana"], PASSWORD)
    assert not users.verify_password(hashes["ana"], PASSWORD + "!")
    assert not users.verify_password("not a hash", PASSWORD)


def test_authenticate_gives_the_user_for_the_right_password_only(conn):
    users.add_user(conn, "ana", role="analyst", password=PASSWORD, departments="D01,D02")
    user = users.authenticate(conn, "ana", PASSWORD)
    assert user == users.User("ana", "analyst", ("D01", "D02"), sensitive=False)
    assert users.authenticate(conn, "ana", "wrong password") is None
    assert users.authenticate(conn, "ana", "") is None
    assert users.authenticate(conn, "nobody", PASSWORD) is None
    assert users.authenticate(conn, "", PASSWORD) is None


def test_an_unknown_name_is_checked_against_a_hash_too(conn, monkeypatch):
    users.add_user(conn, "ana", role="analyst", password=PASSWORD)
    checked = []
    real = users.verify_password
    monkeypatch.setattr(users, "verify_password", lambda h, p: checked.append(h) or real(h, p))
    assert users.authenticate(conn, "nobody", PASSWORD) is None
    assert users.authenticate(conn, "ana", "wrong password") is None
    # both ran one argon2 verification: the time taken does not tell a name that exists
    assert len(checked) == 2 and all(h.startswith("$argon2id$") for h in checked)


def test_a_disabled_user_cannot_sign_in_and_keeps_the_name(conn):
    users.add_user(conn, "ana", role="analyst", password=PASSWORD)
    users.disable_user(conn, "ana")
    assert users.authenticate(conn, "ana", PASSWORD) is None
    found = users.find_user(conn, "ana")
    assert found is not None and found.disabled
    assert not found.can("view")
    with pytest.raises(users.UserError, match="exists already"):
        users.add_user(conn, "ana", role="admin", password=PASSWORD)
    assert users.users_configured(conn)  # a disabled user still means sign-in is on


def test_set_password_replaces_the_old_one(conn):
    users.add_user(conn, "ana", role="leader", password=PASSWORD)
    users.set_password(conn, "ana", "a new password")
    assert users.authenticate(conn, "ana", PASSWORD) is None
    assert users.authenticate(conn, "ana", "a new password") is not None
    with pytest.raises(users.UserError, match="there is no user nobody"):
        users.set_password(conn, "nobody", "a new password")


@pytest.mark.parametrize(
    ("name", "role", "password", "message"),
    [
        ("ana", "chief", PASSWORD, "no such role"),
        ("ana", "admin", "short", "at least 8 characters"),
        ("", "admin", PASSWORD, "a user name has"),
        ("two words", "admin", PASSWORD, "no spaces or commas"),
    ],
)
def test_a_bad_user_is_refused_with_nothing_written(conn, name, role, password, message):
    with pytest.raises(users.UserError, match=message):
        users.add_user(conn, name, role=role, password=password)
    assert conn.execute("select count(*) from users").fetchall()[0][0] == 0
    assert audit.read(conn).empty


def test_no_users_means_the_local_mode(conn, tmp_path):
    assert not users.users_configured(conn)
    assert not users.users_configured(tmp_path / "none.duckdb")  # and creates no file
    assert not (tmp_path / "none.duckdb").exists()
    assert users.LOCAL_ADMIN.scope() == Scope.everything()
    assert all(users.LOCAL_ADMIN.can(a) for a in users.ACTIONS)
    users.add_user(conn, "boss", role="admin", password=PASSWORD, sensitive=True)
    assert users.users_configured(conn)


def test_each_role_may_do_what_the_issue_says():
    def rights(role: users.Role) -> set[str]:
        user = users.User("x", role, None, sensitive=False)
        return {a for a in users.ACTIONS if user.can(a)}

    assert rights("leader") == {"view", "export"}
    assert rights("analyst") == {"view", "export", "upload", "rollback_own", "follow_up"}
    assert rights("admin") == set(users.ACTIONS)
    with pytest.raises(ValueError, match="unknown action"):
        users.User("x", "admin", None, sensitive=True).can("delete_everything")


def test_an_analyst_rolls_back_their_own_batches_an_admin_any():
    analyst = users.User("ana", "analyst", ("D01",), sensitive=False)
    leader = users.User("lea", "leader", None, sensitive=True)
    admin = users.User("adm", "admin", None, sensitive=True)
    assert analyst.may_roll_back("ana") and not analyst.may_roll_back("bob")
    assert not leader.may_roll_back("lea")
    assert admin.may_roll_back("bob")


def test_the_scope_is_the_users_departments_and_sensitive_right(conn):
    users.add_user(conn, "d1", role="analyst", password=PASSWORD, departments=" D01 , D01,D02")
    users.add_user(conn, "all", role="leader", password=PASSWORD, sensitive=True)
    d1 = users.find_user(conn, "d1")
    everyone = users.find_user(conn, "all")
    assert d1 is not None and everyone is not None
    assert d1.scope() == Scope(departments=("D01", "D02"), include_sensitive=False)
    assert everyone.scope() == Scope(departments=None, include_sensitive=True)
    assert [u.name for u in users.list_users(conn)] == ["all", "d1"]


def test_every_user_change_is_in_the_audit_log(conn):
    users.add_user(conn, "ana", role="analyst", password=PASSWORD, departments="D01", by="adm")
    users.set_password(conn, "ana", "another password", by="adm", origin="cli@host")
    users.disable_user(conn, "ana", by="adm")
    log = audit.read(conn)
    assert list(log["action"]) == ["user_change"] * 3
    assert list(log["user"]) == ["adm"] * 3
    assert list(log["detail"]) == [
        "disable ana",
        "passwd ana",
        "add ana: role=analyst departments=D01 sensitive=no",
    ]
    assert list(log["origin"]) == ["", "cli@host", ""]
    assert not log["detail"].str.contains("another password").any()


def test_a_database_of_the_previous_version_gets_the_tables_on_open(tmp_path):
    path = tmp_path / "old.duckdb"
    conn = db.connect(path)
    conn.execute("drop table users")
    conn.execute("drop table audit_log")
    conn.close()
    conn = db.connect(path)
    try:
        assert not users.users_configured(conn)
        users.add_user(conn, "adm", role="admin", password=PASSWORD, sensitive=True)
        assert users.authenticate(conn, "adm", PASSWORD) is not None
    finally:
        conn.close()
    assert users.find_user(path, "adm") == users.User("adm", "admin", None, sensitive=True)


def test_the_writers_refuse_a_configured_user_without_the_right(conn):
    # imported here: the importer and the settings store are the writers under test
    from perfbudget import flags, settings_store
    from perfbudget.importer import (
        ImportRejected,
        RestoreRefused,
        RollbackRefused,
        import_files,
        restore_batch,
        rollback_batch,
    )
    from tests.import_helpers import csv_bytes

    header = ["年度", "项目编码", "项目名称", "主管部门", "调整后预算数"]
    file = ("p.csv", csv_bytes([header, [2025, "P1", "甲", "财政局", 1200000]]))
    for name, role in (("ana", "analyst"), ("bob", "analyst"), ("lea", "leader")):
        users.add_user(conn, name, role=role, password=PASSWORD)
    users.add_user(conn, "adm", role="admin", password=PASSWORD, sensitive=True)

    with pytest.raises(ImportRejected, match="the user lea may not import data"):
        import_files(conn, [file], user="lea")
    import_files(conn, [file], user="ana")  # batch 1, ana's
    with pytest.raises(RollbackRefused, match="bob may not roll back or restore batch 1"):
        rollback_batch(conn, 1, "bob")
    rollback_batch(conn, 1, "ana")
    with pytest.raises(RestoreRefused, match="lea may not roll back or restore batch 1"):
        restore_batch(conn, 1, "lea")
    restore_batch(conn, 1, "adm")
    key = ("general", "first_warning_month")
    for name in ("ana", "lea"):
        with pytest.raises(settings_store.SettingsRejected):
            settings_store.save_thresholds(conn, {key: 11}, user=name)
        with pytest.raises(settings_store.SettingsRejected):
            settings_store.save_settings(conn, {"time_progress_basis": "day"}, user=name)
        with pytest.raises(settings_store.SettingsRejected):
            settings_store.reset_defaults(conn, user=name)
    assert settings_store.save_thresholds(conn, {key: 11}, user="adm") == 1
    followup = dict(
        year=2025, project_code="P1", department_code="D01", rule_id="slow_spending",
        as_of_month=7, status="已关注", note=None,
    )  # fmt: skip
    with pytest.raises(ValueError, match="lea may not follow up flags"):
        flags.record_followup(conn, **followup, user="lea")
    flags.record_followup(conn, **followup, user="ana")
    # a name that is no configured user is the local admin's (the local mode, a CLI --user)
    assert settings_store.save_thresholds(conn, {key: 10}, user="局长") == 1
    users.disable_user(conn, "adm")
    with pytest.raises(settings_store.SettingsRejected):
        settings_store.save_thresholds(conn, {key: 9}, user="adm")
    log = audit.read(conn)
    acts = [(u, a) for u, a in zip(log["user"], log["action"], strict=True) if a != "user_change"]
    assert acts == [("局长", "settings_change"), ("ana", "follow_up"), ("adm", "settings_change"),
                    ("adm", "restore"), ("ana", "rollback"), ("ana", "import")]  # fmt: skip
