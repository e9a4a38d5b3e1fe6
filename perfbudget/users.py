"""Who may sign in, in which role, over which departments (the table users, schema.sql).

No user in the table: the local single-user mode (LOCAL_ADMIN; the dashboard on 127.0.0.1
only). The first user added switches sign-in on. Passwords are kept as argon2id hashes
(argon2-cffi: salted, slow); a password is never stored, logged or taken as an argument.

Roles (User.can):
    leader  领导    views what is in scope, exports
    analyst 分析员  also uploads, rolls back their own batches, follows up flags
    admin   管理员  everything: users, thresholds and settings, every batch, the audit log
A user bound to departments sees only them; a user without the sensitive right never sees a
涉密/敏感 project or a project of a sensitive department (User.scope, the same Scope the data
layer applies to every query).

Every function takes the database as a path or an open connection (the dashboard passes its
cursor: no second connection to a file it holds). Every change is recorded in the audit log
(action user_change) in the change's own transaction. No streamlit here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal, TypeVar, cast, get_args

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from perfbudget import audit, db
from perfbudget.scope import Scope

Role = Literal["leader", "analyst", "admin"]
ROLES: tuple[Role, ...] = get_args(Role)
ROLE_LABELS: dict[str, tuple[str, str]] = {
    "leader": ("领导", "leader"),
    "analyst": ("分析员", "analyst"),
    "admin": ("管理员", "admin"),
}

# What each role may do (User.can). "rollback_own": roll back a batch one imported oneself.
ACTIONS: tuple[str, ...] = (
    "view",
    "export",
    "upload",
    "rollback_own",
    "rollback_any",
    "follow_up",
    "settings",
    "users",
    "audit",
)
RIGHTS: dict[str, frozenset[str]] = {
    "leader": frozenset({"view", "export"}),
    "analyst": frozenset({"view", "export", "upload", "rollback_own", "follow_up"}),
    "admin": frozenset(ACTIONS),
}

MIN_PASSWORD_LENGTH = 8
MAX_NAME_LENGTH = 64

DbRef = str | Path | duckdb.DuckDBPyConnection


class UserError(ValueError):
    """A user change refused (nothing written); the message is Chinese, then English."""

    def __init__(self, zh: str, en: str):
        super().__init__(f"{zh} / {en}")
        self.zh, self.en = zh, en


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    departments: tuple[str, ...] | None  # None = every department
    sensitive: bool  # may see 涉密/敏感 projects and projects of sensitive departments
    disabled: bool = False

    def scope(self) -> Scope:
        """What this user may see: the Scope every query of the data layer takes."""
        return Scope(departments=self.departments, include_sensitive=self.sensitive)

    def can(self, action: str) -> bool:
        """Whether the role allows the action (one of ACTIONS; a disabled user: nothing).
        Raises ValueError for an action not in ACTIONS (a typo must not read as "no")."""
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
        return not self.disabled and action in RIGHTS[self.role]

    def may_roll_back(self, imported_by: str) -> bool:
        """Whether this user may roll back (or restore) a batch imported by `imported_by`
        (import_batches.imported_by): any batch with rollback_any, their own with
        rollback_own."""
        return self.can("rollback_any") or (self.can("rollback_own") and imported_by == self.name)

    @property
    def role_label(self) -> str:
        zh, en = ROLE_LABELS[self.role]
        return f"{zh} {en}"


# The no-users mode, and the command line without --user.
LOCAL_ADMIN = User(name="local", role="admin", departments=None, sensitive=True)


# --- hashing ---------------------------------------------------------------------------------


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()  # argon2id with argon2-cffi's recommended cost (RFC 9106 low-memory)


@cache
def _dummy_hash() -> str:
    """A hash to check an unknown name's password against, so a wrong name takes as long as a
    wrong password."""
    return _hasher().hash("no such user: this hash matches nothing anyone types")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# --- the store -------------------------------------------------------------------------------

T = TypeVar("T")


def _with_conn(ref: DbRef, work: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    if isinstance(ref, duckdb.DuckDBPyConnection):
        return work(ref)
    conn = db.connect(ref)
    try:
        return work(conn)
    finally:
        conn.close()


@contextmanager
def _writing(ref: DbRef) -> Iterator[duckdb.DuckDBPyConnection]:
    if isinstance(ref, duckdb.DuckDBPyConnection):
        with db.transaction(ref):
            yield ref
        return
    conn = db.connect(ref)
    try:
        with db.transaction(conn):
            yield conn
    finally:
        conn.close()


def _user(row: tuple[object, ...]) -> User:
    name, role, departments, sensitive, disabled = row[:5]
    return User(
        name=str(name),
        role=cast(Role, role),
        departments=None if departments is None else tuple(cast(list[str], departments)),
        sensitive=bool(sensitive),
        disabled=bool(disabled),
    )


def _row(conn: duckdb.DuckDBPyConnection, name: str) -> tuple[object, ...] | None:
    rows = conn.execute(
        "select user_name, role, departments, is_sensitive, disabled, password_hash "
        "from users where user_name = ?",
        [name],
    ).fetchall()
    return rows[0] if rows else None


def _exists(ref: DbRef) -> bool:
    return isinstance(ref, duckdb.DuckDBPyConnection) or Path(ref).is_file()


def users_configured(db_path: DbRef) -> bool:
    """Whether any user is in the table (disabled ones count): sign-in is on. A database file
    that does not exist has none."""
    if not _exists(db_path):
        return False
    return _with_conn(
        db_path, lambda c: bool(c.execute("select count(*) from users").fetchall()[0][0])
    )


def find_user(db_path: DbRef, name: str) -> User | None:
    """The user of that name (disabled ones too: check .disabled), or None."""
    if not _exists(db_path) or not name:
        return None
    row = _with_conn(db_path, lambda c: _row(c, name))
    return None if row is None else _user(row)


def authenticate(db_path: DbRef, name: str, password: str) -> User | None:
    """The user whose name and password these are, or None for an unknown name, a disabled
    user or a wrong password (which one is not said). An unknown name's password is checked
    against a dummy hash, so the time taken does not tell a name that exists. Records
    nothing: the caller logs sign_in / sign_in_failed with where it came from."""
    row = None
    if _exists(db_path) and name:
        row = _with_conn(db_path, lambda c: _row(c, name))
    stored = cast(str, row[5]) if row is not None else _dummy_hash()
    matches = verify_password(stored, password or "")
    if row is None or not matches:
        return None
    user = _user(row)
    return None if user.disabled else user


def refused(conn: duckdb.DuckDBPyConnection, name: str, action: str) -> User | None:
    """The configured user of this name when their role does not allow `action` (or they
    are disabled): the writers refuse them, whatever the page or command line checked.
    None when allowed, or when the name is no configured user (the local mode, or a
    command-line --user of free text: the local admin)."""
    user = find_user(conn, name)
    return user if user is not None and not user.can(action) else None


def list_users(db_path: DbRef) -> list[User]:
    """Every user, by name."""
    if not _exists(db_path):
        return []
    rows = _with_conn(
        db_path,
        lambda c: c.execute(
            "select user_name, role, departments, is_sensitive, disabled, password_hash "
            "from users order by user_name"
        ).fetchall(),
    )
    return [_user(r) for r in rows]


def _check_password(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise UserError(
            f"密码至少{MIN_PASSWORD_LENGTH}个字符",
            f"a password has at least {MIN_PASSWORD_LENGTH} characters",
        )


def _clean_departments(departments: object) -> tuple[str, ...] | None:
    if departments is None:
        return None
    if isinstance(departments, str):
        departments = departments.split(",")
    codes = tuple(dict.fromkeys(str(c).strip() for c in cast(list[object], departments)))
    codes = tuple(c for c in codes if c)
    if not codes:
        raise UserError(
            "部门列表为空（不限部门请不要给 --departments）",
            "the department list is empty (leave --departments out for every department)",
        )
    return codes


def _describe(user: User) -> str:
    departments = "all" if user.departments is None else ",".join(user.departments)
    return (
        f"role={user.role} departments={departments} sensitive={'yes' if user.sensitive else 'no'}"
    )


def add_user(
    db_path: DbRef,
    name: str,
    *,
    role: str,
    password: str,
    departments: tuple[str, ...] | list[str] | str | None = None,
    sensitive: bool = False,
    by: str = LOCAL_ADMIN.name,
    origin: str = "",
) -> User:
    """Add a user (departments None = every department). Raises UserError, nothing written,
    for a name taken or not allowed, an unknown role or a password too short."""
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME_LENGTH or any(ch.isspace() or ch == "," for ch in name):
        raise UserError(
            f"用户名须为1–{MAX_NAME_LENGTH}个字符，不含空格或逗号：{name!r}",
            f"a user name has 1–{MAX_NAME_LENGTH} characters, no spaces or commas: {name!r}",
        )
    if role not in ROLES:
        raise UserError(
            f"没有这个角色：{role!r}（可选 {', '.join(ROLES)}）",
            f"no such role: {role!r} (one of {', '.join(ROLES)})",
        )
    _check_password(password)
    user = User(
        name=name,
        role=role,
        departments=_clean_departments(departments),
        sensitive=bool(sensitive),
    )
    password_hash = hash_password(password)
    now = dt.datetime.now().replace(microsecond=0)
    with _writing(db_path) as conn:
        if _row(conn, name) is not None:
            raise UserError(f"用户 {name} 已存在", f"the user {name} exists already")
        conn.execute(
            "insert into users (user_name, role, departments, is_sensitive, password_hash, "
            "disabled, created_at, changed_at) values (?, ?, ?, ?, ?, false, ?, ?)",
            [
                user.name,
                user.role,
                None if user.departments is None else list(user.departments),
                user.sensitive,
                password_hash,
                now,
                now,
            ],
        )
        audit.record(
            conn,
            user=by,
            action=audit.USER_CHANGE,
            detail=f"add {name}: {_describe(user)}",
            origin=origin,
        )
    return user


def _known(conn: duckdb.DuckDBPyConnection, name: str) -> User:
    row = _row(conn, name)
    if row is None:
        raise UserError(f"没有用户 {name}", f"there is no user {name}")
    return _user(row)


def set_password(
    db_path: DbRef, name: str, password: str, *, by: str = LOCAL_ADMIN.name, origin: str = ""
) -> None:
    """A new password for the user. Raises UserError (nothing written) for an unknown user or
    a password too short."""
    _check_password(password)
    password_hash = hash_password(password)
    with _writing(db_path) as conn:
        _known(conn, name)
        conn.execute(
            "update users set password_hash = ?, changed_at = ? where user_name = ?",
            [password_hash, dt.datetime.now().replace(microsecond=0), name],
        )
        audit.record(
            conn, user=by, action=audit.USER_CHANGE, detail=f"passwd {name}", origin=origin
        )


def disable_user(
    db_path: DbRef, name: str, *, by: str = LOCAL_ADMIN.name, origin: str = ""
) -> None:
    """The user can no longer sign in (kept, with their history; `add` cannot take the name
    again). Raises UserError for an unknown user; disabling a disabled user changes nothing."""
    with _writing(db_path) as conn:
        user = _known(conn, name)
        if user.disabled:
            return
        conn.execute(
            "update users set disabled = true, changed_at = ? where user_name = ?",
            [dt.datetime.now().replace(microsecond=0), name],
        )
        audit.record(
            conn, user=by, action=audit.USER_CHANGE, detail=f"disable {name}", origin=origin
        )
