"""Stored results: the figures and flags of queries/, computed once when the data changes and
read by every page, export and CLI report.

Each materialised query keeps its rows in `results_<query>`, for the whole district (no scope
narrowing), with three columns in front: year, month (0 for a query of the whole year) and
_row (the query's own order). A read narrows the stored rows to the user's scope by joining
`scoped_projects` (the same macro the queries use), so what a user sees is exactly what the
query would have given them, without computing it again.

Only queries whose row for a project does not depend on which other projects are in scope are
stored (a scope-dependent figure, such as a department total without the sensitive projects,
is still computed by its query on read). `results_periods` says which (year, month) are
stored; a period that is not (a month past the data, a database filled by hand in a test) is
computed by the query itself, so a read is never stale, only slower.

A write (an import, a rollback, a restore, a threshold change) calls invalidate() in its own
transaction, so its rows and the news that the results they touch are out of date commit
together; the writer then calls refresh_stale() before it lets go of the write lock.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import duckdb
import pandas as pd

from perfbudget.db import load_query
from perfbudget.scope import Scope

# Bump when a stored query's columns or meaning change: a database whose results were written
# by another version is refreshed whole when it is opened (db.ensure_schema -> needs_rebuild).
RESULTS_VERSION = "2"

# What a stored row is of, which says how a read narrows it to a user's scope:
# - PROJECT: a project's own row (or its indicators', flags' or cost items'), the same
#   whoever looks: stored once for the whole district, narrowed by joining scoped_projects;
# - DEPARTMENT: a department's totals, which leave out its sensitive projects for a user
#   without the right: stored twice (scope_sensitive true / false), narrowed by department;
# - WHOLE: the whole scope's totals (the district, the overview's figures): stored twice too,
#   read only by a user who sees every department; anyone else gets the query run.
PROJECT, DEPARTMENT, WHOLE = "project", "department", "whole"

# month: one set of rows per (year, month); year: one per year (month 0).
GRAIN: dict[str, tuple[str, str]] = {
    "project_execution": ("month", PROJECT),
    "indicator_attainment": ("month", PROJECT),
    "project_output_progress": ("month", PROJECT),
    "project_target_scorecard": ("month", PROJECT),
    "project_dual_monitoring": ("month", PROJECT),
    "project_forecast": ("month", PROJECT),
    "warning_slow_spending": ("month", PROJECT),
    "warning_over_budget": ("month", PROJECT),
    "warning_spend_output_mismatch": ("month", PROJECT),
    "warning_indicator_behind": ("month", PROJECT),
    "warning_large_balance": ("month", PROJECT),
    "warning_target_not_met": ("month", PROJECT),
    "warning_rectification_overdue": ("month", PROJECT),
    "warning_data_quality": ("month", PROJECT),
    "department_execution": ("month", DEPARTMENT),
    "department_league": ("month", DEPARTMENT),
    "department_rectification": ("month", DEPARTMENT),
    "district_execution": ("month", WHOLE),
    "scope_summary": ("month", WHOLE),
    "project_selfeval": ("year", PROJECT),
    "project_budget_review": ("year", PROJECT),
    "warning_cost_above_reference": ("year", PROJECT),
    "department_disclosure": ("year", DEPARTMENT),
    "warning_disclosure_gap": ("year", DEPARTMENT),
}
MONTHLY = tuple(q for q, (period, _) in GRAIN.items() if period == "month")
YEARLY = tuple(q for q, (period, _) in GRAIN.items() if period == "year")
STORED = MONTHLY + YEARLY


def _variants(query: str) -> tuple[bool, ...]:
    """The scope_sensitive values a query is stored for."""
    return (True,) if GRAIN[query][1] == PROJECT else (True, False)


Progress = Callable[[float, str], None]


def table_name(query: str) -> str:
    return f"results_{query}"


def is_stored(query: str) -> bool:
    return query in STORED


def ensure_tables(conn: duckdb.DuckDBPyConnection) -> None:
    """The bookkeeping table, and results written by another version of the code dropped
    (their columns or meaning may differ): a database of the previous release starts with
    nothing stored and is brought up to date by the next refresh_stale()."""
    conn.execute(
        "create table if not exists results_periods ("
        " year integer not null, month integer not null, refreshed_at timestamp not null,"
        " seconds double, primary key (year, month))"
    )
    conn.execute(
        "create table if not exists results_stale ("
        " year integer not null, month integer not null, primary key (year, month))"
    )
    if _version(conn) != RESULTS_VERSION:
        for query in STORED:
            conn.execute(f"drop table if exists {table_name(query)}")
        conn.execute("delete from results_periods")
        conn.execute(
            "insert or replace into meta (key, value) values ('results_version', ?)",
            [RESULTS_VERSION],
        )


def upgrade(conn: duckdb.DuckDBPyConnection, progress: Progress | None = None) -> bool:
    """On every writable open (db.connect): a database whose results were written by another
    version of the code, or by the release before stored results, has them computed afresh
    now. Returns whether it did."""
    before = _version(conn)
    ensure_tables(conn)
    if before == RESULTS_VERSION or not data_periods(conn):
        return False
    refresh_all(conn, progress)
    return True


def _version(conn: duckdb.DuckDBPyConnection) -> str | None:
    rows = conn.execute("select value from meta where key = 'results_version'").fetchall()
    return rows[0][0] if rows else None


def _period_params(query: str, year: int, month: int, sensitive: bool = True) -> dict[str, object]:
    declared = load_query(query).params
    values: dict[str, object] = {
        "year": year,
        "month": month,
        "scope_departments": None,
        "scope_sensitive": sensitive,
    }
    return {k: v for k, v in values.items() if k in declared}


def _body(query: str) -> str:
    # the query's own text, without its header comments, as a subquery
    return load_query(query).sql.rstrip().rstrip(";")


def _exists(conn: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        conn.execute(
            "select count(*) from duckdb_tables() where table_name = ? and schema_name = 'main'",
            [table],
        ).fetchall()[0][0]
    )


def _select(query: str) -> str:
    return (
        "select $r_year::integer as year, $r_month::integer as month,"
        " $r_sensitive::boolean as scope_sensitive,"
        f" row_number() over () as _row, q.* from ({_body(query)}) as q"
    )


def _params(query: str, year: int, month: int, sensitive: bool) -> dict[str, object]:
    return {
        **_period_params(query, year, month, sensitive),
        "r_year": year,
        "r_month": month,
        "r_sensitive": sensitive,
    }


def _create(conn: duckdb.DuckDBPyConnection, query: str) -> None:
    """The query's results table, empty, with the query's own column types."""
    if not _exists(conn, table_name(query)):
        conn.execute(
            f"create table {table_name(query)} as {_select(query)} limit 0",
            _params(query, 2000, 1, True),
        )


def _store(conn: duckdb.DuckDBPyConnection, query: str, year: int, month: int) -> None:
    table = table_name(query)
    _create(conn, query)
    conn.execute(f"delete from {table} where year = ? and month = ?", [year, month])
    for sensitive in _variants(query):
        conn.execute(
            f"insert into {table} by name {_select(query)}", _params(query, year, month, sensitive)
        )


def data_periods(conn: duckdb.DuckDBPyConnection) -> list[tuple[int, int]]:
    """The (year, month) the dashboard offers: every month 1..last month with spending of
    every year with projects (month 1 when none has spending yet)."""
    rows = conn.execute(
        "select p.year, coalesce(max(s.last_month), 1) from (select distinct year from projects) p"
        " left join (select year, max(month) as last_month from spending group by year) s"
        " using (year) group by p.year order by p.year"
    ).fetchall()
    return [(year, m) for year, last in rows for m in range(1, max(int(last), 1) + 1)]


def invalidate(
    conn: duckdb.DuckDBPyConnection, from_year: int | None = None, from_month: int = 1
) -> None:
    """Mark the results from (from_year, from_month) on as out of date, inside the write's own
    transaction: that month and the rest of its year (spending and actuals carry forward),
    the whole-year results of that year, and every later year (a year's forecast curves and
    budget review read the years before it). None: everything (a threshold changed).
    Those periods are read from the queries until refresh_stale() has stored them again."""
    ensure_tables(conn)
    point = {"y": from_year if from_year is not None else 0, "m": from_month}
    after = "(year > $y or (year = $y and (month = 0 or month >= $m)))"
    conn.execute(f"delete from results_periods where {after}", point)
    wanted = _wanted(conn)
    marked = [
        [y, m]
        for y, m in wanted
        if y > point["y"] or (y == point["y"] and (m == 0 or m >= point["m"]))
    ]
    if marked:
        conn.executemany("insert or ignore into results_stale values (?, ?)", marked)


def _wanted(conn: duckdb.DuckDBPyConnection) -> list[tuple[int, int]]:
    periods = data_periods(conn)
    return periods + [(y, 0) for y in sorted({y for y, _ in periods})]


def stale_periods(conn: duckdb.DuckDBPyConnection) -> list[tuple[int, int]]:
    """The periods a write marked out of date that the data still has; month 0 stands for a
    year's whole-year results."""
    ensure_tables(conn)
    marked = {tuple(r) for r in conn.execute("select year, month from results_stale").fetchall()}
    return sorted(set(_wanted(conn)) & marked)


# Periods refreshed this many at a time, each on its own cursor. Within a period the queries
# run one after the other: they share the period's memoised macros (below), and DuckDB
# already spreads one statement over the cores (measured at city scale, 2 cores: a month's
# queries took 33 s one at a time and 37 s four at a time before the memo).
WORKERS = 4

# The table macros that several stored queries of a period call with the period's own
# arguments, in the order they call one another (a later one's body calls earlier ones).
# refresh_stale computes each once per period into a temporary table and, on that cursor
# only, shadows the macro with a temporary one that reads it: the queries' SQL is unchanged
# and still defines every figure, but a city month no longer re-derives every indicator's
# standing from the 6 M actuals in eight queries (measured: warning_indicator_behind 1.15 s
# → 0.07 s, project_dual_monitoring 1.38 s → 0.18 s). A call with other arguments (last
# year's December, a lateral call) falls through to the macro itself.
# (macro, its arguments: "y" the period's year, "m" its month, 12 for a whole-year period)
MEMOISED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("spend_to_month", ("y", "m")),
    ("execution_exact", ("y", "m")),
    ("indicator_standing", ("y", "m")),
    ("output_progress_exact", ("y", "m")),
    ("indicator_year_end", ("y",)),
    ("selfeval_exact", ("y",)),
)


def _memo_table(macro: str) -> str:
    return f"_memo_{macro}"


def _memoise(
    cur: duckdb.DuckDBPyConnection, queries: tuple[str, ...], year: int, month: int
) -> None:
    """On this cursor, the MEMOISED macros that `queries` reach computed for the period and
    shadowed by temporary macros reading them (see MEMOISED)."""
    needed = {macro for macro, _ in MEMOISED if any(macro in _body(q) for q in queries)}
    for macro in list(needed):
        needed.update(_MACRO_DEPENDS.get(macro, ()))
    values = {"y": int(year), "m": int(month) if month else 12}
    for macro, args in MEMOISED:
        if macro not in needed:
            continue
        fixed = ", ".join(str(values[a]) for a in args)  # our own integers, not user input
        same = " and ".join(f"{a} = {values[a]}" for a in args)
        cur.execute(
            f"create or replace temp table {_memo_table(macro)} as"
            f" select * from main.{macro}({fixed}) limit 0"
        )
        # filled by an insert, not in the create: a create … as select holds DuckDB's catalog
        # lock while the select runs, and the periods' memos were built one at a time (a
        # district's 39 periods took 55 s on one core instead of 34 s on two)
        cur.execute(f"insert into temp.{_memo_table(macro)} select * from main.{macro}({fixed})")
        # the fallback is the macro's own body, not a call of main.<macro>: DuckDB refuses a
        # macro whose expansion reaches a macro of the same name as recursion
        cur.execute(
            f"create or replace temp macro {macro}({', '.join(args)}) as table"
            f" select * from temp.{_memo_table(macro)} where {same}"
            f" union all by name select * from ({_macro_body(cur, macro)}) where not ({same})"
        )


def _macro_body(cur: duckdb.DuckDBPyConnection, macro: str) -> str:
    return cur.execute(
        "select macro_definition from duckdb_functions() where function_name = ?"
        " and function_type = 'table_macro' and schema_name = 'main'",
        [macro],
    ).fetchall()[0][0]


# The memoised macros each one's body calls (directly or through others), so that a period
# whose queries call only output_progress_exact still memoises indicator_standing under it.
_MACRO_DEPENDS: dict[str, tuple[str, ...]] = {
    "execution_exact": ("spend_to_month",),
    "output_progress_exact": ("indicator_standing",),
    "selfeval_exact": ("indicator_year_end", "execution_exact", "spend_to_month"),
}


def _forget_memo(cur: duckdb.DuckDBPyConnection) -> None:
    for macro, _ in MEMOISED:
        cur.execute(f"drop macro table if exists temp.{macro}")
        cur.execute(f"drop table if exists temp.{_memo_table(macro)}")


def refresh_stale(
    conn: duckdb.DuckDBPyConnection, progress: Progress | None = None
) -> list[tuple[int, int]]:
    """Compute the stale periods' results and store them. Each query of each period is
    replaced in a transaction of its own; the periods run a few at a time, each on its own
    cursor with its memoised macros. A period is vouched for (results_periods) only once all
    its queries are stored, so until then a reader gets it from the queries. Results of
    periods the data no longer has are dropped. Returns the periods written."""
    ensure_tables(conn)
    _drop_gone(conn)
    stale = stale_periods(conn)
    if not stale:
        return []
    for query in STORED:
        _create(conn, query)  # before the threads: two must not both create a table
    total = sum(len(MONTHLY if month else YEARLY) for _, month in stale)
    lock = threading.Lock()
    started = time.perf_counter()
    done = 0

    def run(period: tuple[int, int]) -> None:
        nonlocal done
        year, month = period
        queries = MONTHLY if month else YEARLY
        cur = conn.cursor()
        try:
            _memoise(cur, queries, year, month)
            for query in queries:
                cur.execute("begin transaction")
                _store(cur, query, year, month)
                cur.execute("commit")
                with lock:
                    done += 1
                    if progress is not None:
                        progress(done / total, f"{year}-{month:02d}" if month else f"{year}")
            _forget_memo(cur)
        finally:
            cur.close()
        with lock, conn.cursor() as mark:
            mark.execute(
                "insert or replace into results_periods values (?, ?, current_timestamp, ?)",
                [year, month, time.perf_counter() - started],
            )
            mark.execute("delete from results_stale where year = ? and month = ?", [year, month])

    with ThreadPoolExecutor(WORKERS, thread_name_prefix="perfbudget-refresh") as pool:
        for future in [pool.submit(run, period) for period in stale]:
            future.result()  # the first failure is raised here
    conn.execute("delete from results_stale")  # what is left the data no longer has
    return stale


def refresh_all(
    conn: duckdb.DuckDBPyConnection, progress: Progress | None = None
) -> list[tuple[int, int]]:
    """Every period of the data computed and stored afresh (the demo, an upgrade)."""
    conn.execute("begin transaction")
    try:
        invalidate(conn)
    except BaseException:
        conn.execute("rollback")
        raise
    conn.execute("commit")
    return refresh_stale(conn, progress)


def _drop_gone(conn: duckdb.DuckDBPyConnection) -> None:
    """Forget the stored rows of periods that results_periods no longer vouches for (out of
    date, or a year the data no longer has), so each table holds only current rows."""
    wanted = set(_wanted(conn))
    for year, month in conn.execute("select year, month from results_periods").fetchall():
        if (year, month) not in wanted:
            conn.execute("delete from results_periods where year = ? and month = ?", [year, month])
    keep = (
        conn.execute("select list(year * 100 + month) from results_periods").fetchall()[0][0] or []
    )
    for query in STORED:
        if _exists(conn, table_name(query)):
            conn.execute(
                f"delete from {table_name(query)} where not list_contains(?, year * 100 + month)",
                [keep],
            )


def is_stored_period(conn: duckdb.DuckDBPyConnection, year: int, month: int) -> bool:
    """Whether (year, month) is stored by this version of the code: one statement, since
    every read asks."""
    try:
        return bool(
            conn.execute(
                "select count(*) from results_periods where year = ? and month = ?"
                " and (select value from meta where key = 'results_version') = ?",
                [year, month, RESULTS_VERSION],
            ).fetchall()[0][0]
        )
    except duckdb.CatalogException:  # a database that has never stored results
        return False


# The tables a batch writes, and what a row's period is: (year, month) for the monthly ones,
# the year for the annual ones; a rectification (no year: its due date matters to every month
# after it) and a department or unit (its name is in every stored row) touch everything.
_MONTHLY_TABLES = ("spending", "indicator_actuals")
_YEARLY_TABLES = ("projects", "indicators", "costs", "cost_standards", "self_evaluations")
_TIMELESS_TABLES = ("rectifications", "departments", "units")


def batch_start(conn: duckdb.DuckDBPyConnection, batch_id: int) -> tuple[int, int] | None:
    """The earliest (year, month) whose results batch `batch_id` can change, reading its rows
    where they are now, live or archived (so the same answer after an import, a rollback or a
    restore); None: every period."""
    points: list[tuple[int, int]] = []
    for table in _MONTHLY_TABLES + _YEARLY_TABLES + _TIMELESS_TABLES:
        for source in (table, f"{table}_history"):
            if not _exists(conn, source):
                continue
            # in the history, also the rows the batch replaced (superseded_by): a file that
            # replaces another may leave out months the other had
            replaced = {"departments": "removed_by", "units": "removed_by"}.get(
                table, "superseded_by"
            )
            which = "batch_id = $b" if source == table else f"(batch_id = $b or {replaced} = $b)"
            if table in _TIMELESS_TABLES:
                hit = conn.execute(
                    f"select count(*) from {source} where {which}", {"b": batch_id}
                ).fetchall()[0][0]
                if hit:
                    return None
                continue
            month = "month" if table in _MONTHLY_TABLES else "1"
            row = conn.execute(
                f"select min(year * 100 + {month}) from {source} where {which}", {"b": batch_id}
            ).fetchall()[0][0]
            if row is not None:
                points.append(divmod(int(row), 100))
    if not points:
        return (9999, 1)  # wrote nothing that a figure reads
    return min(points)


def invalidate_batch(conn: duckdb.DuckDBPyConnection, batch_id: int) -> None:
    """invalidate() from the first period batch `batch_id` touches."""
    start = batch_start(conn, batch_id)
    if start is None:
        invalidate(conn)
    else:
        invalidate(conn, *start)


def read_months(
    conn: duckdb.DuckDBPyConnection,
    query: str,
    scope: Scope,
    year: int,
    through: int,
    project_code: str | None = None,
) -> pd.DataFrame | None:
    """The stored rows of a monthly query for months 1..through of a year, one frame with a
    `month` column, read in one statement (a trend, a league over the year: never the
    query run month by month); None unless every one of those months is stored."""
    months = list(range(1, through + 1))
    if not months or stored_through(conn, year) < through:
        return None
    frames = (
        [read(conn, query, scope, year, m) for m in months]
        if scope.departments is not None and "rank" in _columns(conn, query)
        else None
    )
    if frames is not None:  # re-ranked per month among the departments in scope
        found = [f for f in frames if f is not None]
        # every month through `through` is stored (checked above), so read found each one
        assert len(found) == len(frames), "a stored month read as not stored"
        return pd.concat(
            [f.assign(month=m) for f, m in zip(found, months, strict=True)], ignore_index=True
        )
    return _read_rows(conn, query, scope, year, months, project_code)


def flag_since(
    conn: duckdb.DuckDBPyConnection,
    scope: Scope,
    year: int,
    month: int,
    queries: dict[str, str],
    project_codes: list[str] | None = None,
) -> pd.DataFrame | None:
    """Since which month each flag raised at `month` has been raised without a break, in one
    statement over the stored flags of months 1..month (gaps and islands). queries maps a
    rule to its query; a whole-year rule holds for every month of its year. project_codes:
    only these projects' flags ('' for a department's own), e.g. the page of a table; None:
    every flag. Returns project_code, department_code, rule, since_month, months_flagged;
    None unless every month up to `month` and the year are stored."""
    if stored_through(conn, year) < month or not is_stored_period(conn, year, 0):
        return None
    parts = []
    for rule, query in queries.items():
        period, grain = GRAIN[query]
        months = "r.month" if period == "month" else "unnest(range(1, $month + 1))"
        if grain == PROJECT:
            narrowed = (
                "r.project_code in (select project_code from"
                " scoped_projects($year, $scope_departments, $scope_sensitive))"
            )
        else:
            narrowed = (
                "r.scope_sensitive = $scope_sensitive and ($scope_departments is null"
                " or list_contains($scope_departments, r.department_code))"
            )
        wanted = "r.month <= $month" if period == "month" else "r.month = 0"
        if project_codes is not None:
            wanted += " and list_contains($project_codes, coalesce(r.project_code, ''))"
        parts.append(
            f"select {months} as month, coalesce(r.project_code, '') as project_code,"
            f" r.department_code, '{rule}' as rule from {table_name(query)} as r"
            f" where r.year = $year and {wanted} and {narrowed}"
        )
    sql = f"""
        with flagged as (select distinct * from ({" union all ".join(parts)})),
        numbered as (
            select *, month - row_number() over (
                partition by project_code, department_code, rule order by month) as island
            from flagged
        ),
        runs as (
            select project_code, department_code, rule, min(month) as since_month,
                   max(month) as last_month
            from numbered group by project_code, department_code, rule, island
        )
        select project_code, department_code, rule, since_month,
               $month - since_month + 1 as months_flagged
        from runs where last_month = $month
        order by project_code, department_code, rule
    """
    params: dict[str, object] = {"year": year, "month": month, **scope.as_params()}
    if project_codes is not None:
        params["project_codes"] = list(project_codes)
    return conn.sql(sql, params=params).to_arrow_table().to_pandas()


def stored_through(conn: duckdb.DuckDBPyConnection, year: int) -> int:
    """The last month m of the year such that months 1..m are all stored (0: none)."""
    try:
        months = {
            r[0]
            for r in conn.execute(
                "select month from results_periods where year = ? and month > 0"
                " and (select value from meta where key = 'results_version') = ?",
                [year, RESULTS_VERSION],
            ).fetchall()
        }
    except duckdb.CatalogException:
        return 0
    through = 0
    while through + 1 in months:
        through += 1
    return through


def _columns(conn: duckdb.DuckDBPyConnection, query: str) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "select column_name from duckdb_columns() where table_name = ?", [table_name(query)]
        ).fetchall()
    ]


def read(
    conn: duckdb.DuckDBPyConnection,
    query: str,
    scope: Scope | None,
    year: int,
    month: int | None = None,
) -> pd.DataFrame | None:
    """The stored rows of `query` for a period, narrowed to the scope, in the query's own
    order; None when that period is not stored (the caller runs the query)."""
    if not is_stored(query):
        return None
    scope = scope or Scope.everything()
    period, grain = GRAIN[query]
    stored_month = month if period == "month" else 0
    if stored_month is None or (grain == WHOLE and scope.departments is not None):
        return None
    if not is_stored_period(conn, year, stored_month):
        return None
    rows = _read_rows(conn, query, scope, year, [stored_month]).drop(columns="month")
    if "rank" in rows and scope.departments is not None:
        # a league ranked among the departments in scope (ties stay ties: the stored rank
        # orders them exactly as the scores did)
        rows["rank"] = rows["rank"].rank(method="min").astype(rows["rank"].dtype)
    return rows


def _read_rows(
    conn: duckdb.DuckDBPyConnection,
    query: str,
    scope: Scope,
    year: int,
    months: list[int],
    project_code: str | None = None,
) -> pd.DataFrame:
    grain = GRAIN[query][1]
    params = {"year": year, "months": months, **scope.as_params()}
    one = ""
    if project_code is not None:
        one, params["project_code"] = " and r.project_code = $project_code", project_code
    if grain == PROJECT:
        narrowed = (
            "r.project_code in (select project_code from"
            " scoped_projects($year, $scope_departments, $scope_sensitive))"
        )
    elif grain == DEPARTMENT:
        narrowed = (
            "r.scope_sensitive = $scope_sensitive and ($scope_departments is null"
            " or list_contains($scope_departments, r.department_code))"
        )
    else:
        narrowed = "r.scope_sensitive = $scope_sensitive"
        del params["scope_departments"]
    return (
        conn.sql(
            f"select r.* exclude (year, scope_sensitive, _row) from {table_name(query)} as r"
            f" where r.year = $year and list_contains($months, r.month) and {narrowed}{one}"
            " order by r.month, r._row",
            params=params,
        )
        .to_arrow_table()
        .to_pandas()
    )


# --- one page of a large table --------------------------------------------------------------

# The stored tables pages read a window of (read_window) rather than whole: a city has
# 480,000 indicators and a page shows 500.
WINDOWED = ("indicator_attainment",)


def window(
    frame: pd.DataFrame,
    where: dict[str, list[object]] | None = None,
    order: tuple[str, bool] | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[pd.DataFrame, int]:
    """The rows of `frame` (a query's rows in its own order) whose columns hold one of the
    listed values, sorted by (column, descending) with empty values last and ties in the
    query's order, from `offset`, at most `limit`; and how many rows matched. What
    read_window gives from the stored rows, for a period that is not stored."""
    mask = pd.Series(True, index=frame.index)
    for column, values in (where or {}).items():
        mask &= frame[column].isin(values)
    chosen = frame[mask]
    if order is not None:
        column, descending = order
        chosen = chosen.sort_values(
            column, ascending=not descending, na_position="last", kind="stable"
        )
    end = None if limit is None else offset + limit
    return chosen.iloc[offset:end].reset_index(drop=True), len(chosen)


def _narrowed_rows(
    conn: duckdb.DuckDBPyConnection,
    query: str,
    scope: Scope,
    year: int,
    month: int,
    where: dict[str, list[object]] | None,
    also: tuple[str, ...] = (),
) -> tuple[str, dict[str, object]] | None:
    """`from … where …` of a project-grain query's stored rows of a period, narrowed to the
    scope and to `where`, with its parameters; None when the period is not stored."""
    if GRAIN.get(query, ("", ""))[1] != PROJECT:
        return None
    stored_month = month if GRAIN[query][0] == "month" else 0
    if not is_stored_period(conn, year, stored_month):
        return None
    # column names are checked against the stored table's own, as they are formatted in;
    # every value is bound
    unknown = (set(where or {}) | set(also)) - set(_columns(conn, query))
    if unknown:
        raise ValueError(f"{query}: no column {sorted(unknown)}")
    params: dict[str, object] = {"year": year, "month": stored_month, **scope.as_params()}
    sql = (
        f" from {table_name(query)} as r where r.year = $year and r.month = $month"
        " and r.project_code in (select project_code from"
        " scoped_projects($year, $scope_departments, $scope_sensitive))"
    )
    for i, (column, values) in enumerate((where or {}).items()):
        sql += f' and list_contains($v{i}, r."{column}")'
        params[f"v{i}"] = list(values)
    return sql, params


def read_window(
    conn: duckdb.DuckDBPyConnection,
    query: str,
    scope: Scope,
    year: int,
    month: int,
    where: dict[str, list[object]] | None = None,
    order: tuple[str, bool] | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[pd.DataFrame, int] | None:
    """window() over the stored rows of a project-grain query, in one statement, so that a
    page of a city's 480,000 indicators never brings the other 479,500 into Python. None when
    the period is not stored (the caller windows the query's own rows)."""
    narrowed = _narrowed_rows(
        conn, query, scope, year, month, where, (order[0],) if order is not None else ()
    )
    if narrowed is None:
        return None
    rows_sql, params = narrowed
    sort = "r._row"
    if order is not None:
        sort = f'r."{order[0]}" {"desc" if order[1] else "asc"} nulls last, r._row'
    rows = (
        conn.sql(
            "select r.* exclude (year, month, scope_sensitive, _row),"
            f" count(*) over () as _total{rows_sql} order by {sort}"
            " limit $limit offset $offset",
            params={**params, "limit": limit, "offset": int(offset)},
        )
        .to_arrow_table()
        .to_pandas()
    )
    if rows.empty:  # past the last row (or none): count them on their own
        total = conn.sql(f"select count(*){rows_sql}", params=params).fetchall()[0][0]
    else:
        total = rows["_total"].iloc[0]
    return rows.drop(columns="_total"), int(total)


def read_distinct(
    conn: duckdb.DuckDBPyConnection,
    query: str,
    scope: Scope,
    year: int,
    month: int,
    columns: list[str],
    where: dict[str, list[object]] | None = None,
) -> pd.DataFrame | None:
    """The distinct values of `columns` among the stored rows narrowed as read_window does,
    in the order they first appear: a filter's choices without reading the rows. None when
    the period is not stored."""
    narrowed = _narrowed_rows(conn, query, scope, year, month, where, tuple(columns))
    if narrowed is None:
        return None
    rows_sql, params = narrowed
    picked = ", ".join(f'r."{c}"' for c in columns)
    return (
        conn.sql(
            f"select * exclude (first_row) from (select {picked}, min(r._row) as first_row"
            f"{rows_sql} group by all) order by first_row",
            params=params,
        )
        .to_arrow_table()
        .to_pandas()
    )
