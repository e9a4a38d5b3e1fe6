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
