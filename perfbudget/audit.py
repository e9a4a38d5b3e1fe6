"""The audit log: who did what, when and from where (the table audit_log, schema.sql).

Append-only. This module inserts rows and reads them; nothing in the package updates or
deletes one (tests/test_audit.py scans the package for it and tries through the public
functions). Each writer records its row through its own connection, inside its own
transaction, so an import's row commits or rolls back with the import:

    with transaction(conn):
        ...  # the import
        audit.record(conn, user=user, action=audit.IMPORT, detail="batch 7: a.xlsx", origin="cli")

No streamlit here: the command line and the dashboard's data layer both call it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from perfbudget import db

# What a row may record (audit_log.action).
SIGN_IN = "sign_in"
SIGN_IN_FAILED = "sign_in_failed"
IMPORT = "import"
ROLLBACK = "rollback"
RESTORE = "restore"
SETTINGS_CHANGE = "settings_change"
EXPORT = "export"
DOWNLOAD = "download"
FOLLOW_UP = "follow_up"
USER_CHANGE = "user_change"
ACTIONS: tuple[str, ...] = (
    SIGN_IN,
    SIGN_IN_FAILED,
    IMPORT,
    ROLLBACK,
    RESTORE,
    SETTINGS_CHANGE,
    EXPORT,
    DOWNLOAD,
    FOLLOW_UP,
    USER_CHANGE,
)

# The columns of read() and of `perfbudget audit`, in this order (a contract: add at the end).
COLUMNS: tuple[str, ...] = ("at", "user", "action", "detail", "origin")

# The longest detail kept (a list of file names can be long; the log is not a data store).
MAX_DETAIL = 2000


def record(
    con: duckdb.DuckDBPyConnection, *, user: str, action: str, detail: str, origin: str = ""
) -> None:
    """Append one row through the caller's connection (in its transaction, if one is open).
    Raises ValueError for an action not in ACTIONS."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; one of {', '.join(ACTIONS)}")
    con.execute(
        "insert into audit_log (logged_at, user_name, action, detail, origin) values (?, ?, ?, ?, ?)",
        [
            dt.datetime.now().replace(microsecond=0),
            user or "",
            action,
            (detail or "")[:MAX_DETAIL],
            origin or "",
        ],
    )


def record_to(
    db_path: str | Path, *, user: str, action: str, detail: str, origin: str = ""
) -> None:
    """record() through a connection of its own to the file, committed at once (a command that
    read the database read-only and now says what it exported). Raises db.DatabaseBusyError
    when another process holds the file."""
    conn = db.connect(db_path)
    try:
        record(conn, user=user, action=action, detail=detail, origin=origin)
    finally:
        conn.close()


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def read(
    db_path_or_con: str | Path | duckdb.DuckDBPyConnection,
    *,
    since: dt.date | dt.datetime | str | None = None,
    user: str | None = None,
    action: str | None = None,
    until: dt.date | dt.datetime | str | None = None,
) -> pd.DataFrame:
    """The log, newest first, as columns at, user, action, detail, origin (COLUMNS).
    since / until: a date (from its midnight; until is exclusive: the rows before it), a
    datetime or an ISO text ('2026-12-01', '2026-12-01 08:30'); user, action: only those.
    Raises ValueError for a since or until that is not a date or time."""
    params = {
        "since": _text(since),
        "until": _text(until),
        "user_name": user or None,
        "action": action or None,
    }
    for key in ("since", "until"):
        if params[key] is not None:
            try:
                dt.datetime.fromisoformat(str(params[key]))
            except ValueError:
                raise ValueError(
                    f"不是日期或时间：{params[key]!r}（如 2026-12-01）/ not a date or time: "
                    f"{params[key]!r} (e.g. 2026-12-01)"
                ) from None
    if isinstance(db_path_or_con, duckdb.DuckDBPyConnection):
        frame = db.run_live(db_path_or_con, "audit_log", None, **params)
    else:
        conn = db.connect(db_path_or_con, read_only=True)
        try:
            frame = db.run_live(conn, "audit_log", None, **params)
        finally:
            conn.close()
    return frame.rename(columns={"logged_at": "at", "user_name": "user"}).reindex(
        columns=list(COLUMNS)
    )
