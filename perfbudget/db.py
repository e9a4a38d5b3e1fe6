"""The only module that opens DuckDB and runs the SQL in queries/.

Queries are files, one SELECT each, with a header that declares their parameters:

    -- Execution of each project at the end of a month, against time progress.
    -- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
    -- returns: one row per project: …

`run_query(conn, name, scope, **params)` binds exactly the declared parameters (the scope's
included) as DuckDB `$name` parameters; no value is ever formatted into SQL.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import cast

import duckdb
import pandas as pd

import perfbudget.queries
from perfbudget.rules import DEFAULT_SETTINGS, DEFAULT_THRESHOLDS
from perfbudget.scope import Scope

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# The repository's queries/, installed as the package perfbudget.queries (pyproject.toml): found
# by the import system the same way in a wheel, an editable install and a checkout.
QUERIES_DIR = Path(perfbudget.queries.__file__).resolve().parent
SCHEMA_FILE = Path(__file__).resolve().parent / "schema.sql"
DEFAULT_DB_PATH = Path("data") / "perfbudget.duckdb"
SCHEMA_VERSION = "2"  # 2: spending and indicator_actuals without a primary key

_PARAM_DECL = re.compile(r"\$([a-z_][a-z0-9_]*)\s+([A-Z]+(?:\[\])?)")
_PARAM_USE = re.compile(r"\$([a-z_][a-z0-9_]*)")


class DatabaseBusyError(RuntimeError):
    """The database file is held read-write by another process (usually the dashboard)."""


@dataclass(frozen=True)
class Query:
    name: str
    sql: str
    description: str
    params: dict[str, str]  # name -> DuckDB type, in declaration order

    @property
    def used_params(self) -> set[str]:
        body = "\n".join(
            line for line in self.sql.splitlines() if not line.lstrip().startswith("--")
        )
        return set(_PARAM_USE.findall(body))


def app_db_path() -> Path:
    """Where the dashboard keeps its database: $PERFBUDGET_DB, else data/ in the checkout."""
    return Path(os.environ.get("PERFBUDGET_DB", PROJECT_ROOT / DEFAULT_DB_PATH))


def connect(
    path: str | Path | None = None, *, read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open (and, when writable, create or migrate) a database. ':memory:' for tests.
    Inside `lent(path, conn)` in this thread: a cursor of that open connection instead."""
    target = ":memory:" if path is None else str(path)
    borrowed = getattr(_lent, "conns", {}).get(_file_key(target))
    if borrowed is not None:
        return borrowed.cursor()
    if target != ":memory:" and not read_only:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
    if read_only and target != ":memory:":
        # The macros the queries use live in the file; bring them up to this version of the
        # code first (a read-write open that fails the same way a read-only one would when
        # another process holds the file), then reopen read-only.
        _open(target, read_only=False).close()
    return _open(target, read_only=read_only)


_lent = threading.local()


def _file_key(target: str) -> str:
    return target if target == ":memory:" else str(Path(target).resolve())


@contextmanager
def lent(path: str | Path, conn: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """Within the block, connect(path) in this thread gives a cursor of `conn` (closing it
    leaves conn open): the dashboard runs a command-line job through its own connection,
    since no second connection to the file can be opened while it holds it (perfbudget.inbox)."""
    conns = getattr(_lent, "conns", None)
    if conns is None:
        conns = _lent.conns = {}
    key = _file_key(str(path))
    before = conns.get(key)
    conns[key] = conn
    try:
        yield
    finally:
        if before is None:
            conns.pop(key, None)
        else:
            conns[key] = before


def _open(target: str, *, read_only: bool) -> duckdb.DuckDBPyConnection:
    try:
        conn = duckdb.connect(target, read_only=read_only)
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise DatabaseBusyError(busy_message(target)) from exc
        raise
    # DuckDB draws a progress bar on stdout for a statement over two seconds, even when
    # stdout is a pipe: in the middle of a CLI report's CSV, or of a test's output
    conn.execute("set enable_progress_bar = false")
    if not read_only:
        ensure_schema(conn)
        # imported here: results builds on this module
        from perfbudget import results

        results.upgrade(conn)
    return conn


def busy_message(path: str) -> str:
    return (
        f"数据库 {path} 正被另一个进程占用（另一个命令行导入，或不接收命令行任务的程序）：DuckDB 同一时间只允许一个进程打开它。"
        "请等它结束后再运行此命令（--timeout 秒数可等得更久）；正在运行的看板会自动代为执行命令，"
        "也可以在看板的「数据导入」页上传文件。\n"
        f"The database {path} is held by another process (another command-line import, or a "
        "program that takes no commands from the inbox): DuckDB lets one process open a file at "
        "a time. Run this command again when it has finished (--timeout SECONDS waits longer); "
        "a running dashboard runs commands for you, and its Upload page imports files too."
    )


def ensure_schema(conn: duckdb.DuckDBPyConnection) -> None:
    """Create tables and macros if missing and seed default thresholds and settings.
    Existing values are kept: a bureau's own thresholds survive an upgrade."""
    schema = SCHEMA_FILE.read_text(encoding="utf-8")
    conn.execute(schema)
    _drop_primary_keys(conn, schema)
    conn.executemany(
        "insert or ignore into thresholds (rule_id, name, value, description) values (?, ?, ?, ?)",
        [list(row) for row in DEFAULT_THRESHOLDS],
    )
    conn.executemany(
        "insert or ignore into settings (key, value) values (?, ?)",
        [list(row) for row in DEFAULT_SETTINGS],
    )
    conn.execute(
        "insert or replace into meta (key, value) values ('schema_version', ?)", [SCHEMA_VERSION]
    )


# Tables whose key a previous version declared a primary key, now kept unique by the writers
# (schema.sql says why).
UNINDEXED_TABLES = ("spending", "indicator_actuals")


def _drop_primary_keys(conn: duckdb.DuckDBPyConnection, schema: str) -> None:
    """A database written before schema version 2 holds spending and indicator_actuals with
    a primary key, which DuckDB cannot drop: each such table is rebuilt as schema.sql now
    defines it, its rows copied, in one transaction."""
    indexed = [
        table
        for (table,) in conn.execute(
            "select distinct table_name from duckdb_constraints() where constraint_type = "
            "'PRIMARY KEY' and schema_name = 'main' and list_contains($tables, table_name)",
            {"tables": list(UNINDEXED_TABLES)},
        ).fetchall()
    ]
    if not indexed:
        return
    with transaction(conn):
        for table in indexed:  # names from UNINDEXED_TABLES, never from input
            conn.execute(f"alter table {table} rename to {table}_with_key")
        conn.execute(schema)  # creates the tables again, without the key
        for table in indexed:
            conn.execute(f"insert into {table} by name select * from {table}_with_key")
            conn.execute(f"drop table {table}_with_key")


@contextmanager
def transaction(conn: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """All or nothing: commit when the block ends, roll back on any exception."""
    conn.execute("begin transaction")
    try:
        yield conn
    except BaseException:
        conn.execute("rollback")
        raise
    conn.execute("commit")


def query_names() -> list[str]:
    return sorted(p.stem for p in QUERIES_DIR.glob("*.sql"))


@cache
def load_query(name: str) -> Query:
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError(f"not a query name: {name!r}")
    path = QUERIES_DIR / f"{name}.sql"
    if not path.exists():
        raise KeyError(f"no query file queries/{name}.sql")
    sql = path.read_text(encoding="utf-8")
    return Query(name=name, sql=sql, description=_description(sql), params=_declared_params(sql))


def _header_lines(sql: str) -> list[str]:
    lines = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        lines.append(line[2:].strip())
    return lines


def _description(sql: str) -> str:
    out = []
    for line in _header_lines(sql):
        if line.startswith(("params:", "returns:")):
            break
        out.append(line)
    return " ".join(out).strip()


def _declared_params(sql: str) -> dict[str, str]:
    params: dict[str, str] = {}
    in_params = False
    for line in _header_lines(sql):
        if line.startswith("params:"):
            in_params = True
            line = line.removeprefix("params:")
        elif line.startswith("returns:"):
            break
        if in_params:
            params.update(_PARAM_DECL.findall(line))
    return params


def run_query(
    conn: duckdb.DuckDBPyConnection,
    name: str,
    scope: Scope | None = None,
    **params: object,
) -> pd.DataFrame:
    """The rows of queries/<name>.sql for these parameters: the stored results when the query
    is one perfbudget.results keeps and the period is stored (computed when the data last
    changed), else the query run now (run_live). Either way the same rows."""
    # imported here: results builds on this module (load_query, the connection)
    from perfbudget import results

    # a stored query's period parameters are integers (results.GRAIN)
    year, month = cast(int, params.get("year")), cast("int | None", params.get("month"))
    stored = (
        results.read(conn, name, scope, year, month)
        if results.is_stored(name) and set(params) <= {"year", "month"}
        else None
    )
    if stored is not None:
        return stored
    return run_live(conn, name, scope, **params)


def run_live(
    conn: duckdb.DuckDBPyConnection,
    name: str,
    scope: Scope | None = None,
    **params: object,
) -> pd.DataFrame:
    """Run queries/<name>.sql with its declared parameters and return a DataFrame.
    Money columns (`*_yuan`) hold decimal.Decimal; rates are float (converted from exact
    decimals at the end of the query, after every threshold comparison)."""
    query = load_query(name)
    values = dict(params)
    if "scope_departments" in query.params:
        values.update((scope or Scope.everything()).as_params())
    missing = set(query.params) - set(values)
    extra = set(values) - set(query.params)
    if missing or extra:
        raise TypeError(
            f"query {name}: missing parameters {sorted(missing)}, unexpected {sorted(extra)}"
        )
    # Through Arrow so DECIMAL money arrives as exact decimal.Decimal, not float64.
    return conn.sql(query.sql, params=values).to_arrow_table().to_pandas()
