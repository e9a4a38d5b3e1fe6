"""Write one file's checked records: a new batch, the rows it replaces moved to the
`<table>_history` twins (superseded_by = the new batch), then the new rows inserted in bulk
(Arrow tables registered into DuckDB, then insert … select).

The caller holds the transaction; nothing here commits. Table and column names below come
from the fixed lists in this module, never from a file; every value is bound or registered."""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

import duckdb
import pyarrow as pa

from perfbudget.db import UNINDEXED_TABLES
from perfbudget.importer.kinds import FileData

MONEY = pa.decimal128(18, 2)
VALUE = pa.decimal128(24, 6)
POINTS = pa.decimal128(8, 2)
UNIT_COST = pa.decimal128(18, 4)

# Replacement grain of each table (docs/figures.md#re-import-replaces: a re-import of the
# same year, period and project replaces what was there).
REPLACE_KEYS: dict[str, tuple[str, ...]] = {
    "projects": ("year", "project_code"),
    "spending": ("year", "month", "project_code"),
    "indicators": ("year", "project_code", "level1", "level2", "indicator_name"),
    "indicator_actuals": ("year", "project_code", "level1", "level2", "indicator_name", "month"),
    "costs": ("year", "project_code"),
    "cost_standards": ("year", "service_class", "output_unit"),
    "rectifications": ("project_code", "issue", "feedback_date"),
    "self_evaluations": ("year", "project_code"),
    "budget_requests": ("year", "project_code"),
}

# The unique key of each table without a primary key (schema.sql): finer than the
# replacement grain where a file can hold several rows per grain (fund sources).
UNIQUE_KEYS: dict[str, tuple[str, ...]] = {
    "spending": ("year", "month", "project_code", "fund_source", "economic_class"),
    "indicator_actuals": REPLACE_KEYS["indicator_actuals"],
}
assert set(UNIQUE_KEYS) == set(UNINDEXED_TABLES)

_NEW = "_import_new_rows"
_KEYS = "_import_replaced_keys"


def _register(conn: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> None:
    conn.register(name, table)


def _replace(conn: duckdb.DuckDBPyConnection, table: str, rows: pa.Table, batch_id: int) -> int:
    """Move the rows whose key the new rows share into the history, delete them, insert
    the new rows. Returns how many rows were superseded."""
    if rows.num_rows == 0:
        return 0
    keys = REPLACE_KEYS[table]
    on = " and ".join(f"t.{k} = n.{k}" for k in keys)
    _register(conn, _NEW, rows)
    try:
        conn.execute(
            f"create or replace temp table {_KEYS} as select distinct {', '.join(keys)} from {_NEW}"
        )
        moved = conn.execute(
            f"insert into {table}_history by name "
            f"select t.*, $batch_id as superseded_by from {table} as t semi join {_KEYS} as n on {on}",
            {"batch_id": batch_id},
        ).fetchall()
        conn.execute(f"delete from {table} as t using {_KEYS} as n where {on}")
        conn.execute(
            f"insert into {table} by name select *, $batch_id as batch_id from {_NEW}",
            {"batch_id": batch_id},
        )
        check_unique(conn, table, f"select * from {_KEYS}")
        conn.execute(f"drop table {_KEYS}")
    finally:
        conn.unregister(_NEW)
    return int(moved[0][0]) if moved else 0


def check_unique(
    conn: duckdb.DuckDBPyConnection, table: str, keys_sql: str, params: dict | None = None
) -> None:
    """Raise duckdb.ConstraintException when two live rows of `table` share a key among
    those `keys_sql` selects. For the tables with no primary key (db.UNINDEXED_TABLES) this
    is what keeps their key unique; on the others the database already does, so it is
    skipped. Called by every writer before its transaction commits."""
    if table not in UNINDEXED_TABLES:
        return
    unique = UNIQUE_KEYS[table]
    keys = ", ".join(unique)
    same = " and ".join(f"t.{k} = k.{k}" for k in unique if k in REPLACE_KEYS[table])
    duplicated = conn.execute(
        f"select {keys}, count(*) from {table} as t semi join ({keys_sql}) as k on {same} "
        f"group by all having count(*) > 1 limit 1", params or {},
    ).fetchall()  # fmt: skip
    if duplicated:
        raise duckdb.ConstraintException(
            f"duplicate key in {table}: {duplicated[0][:-1]} would be held by "
            f"{duplicated[0][-1]} rows"
        )


def _table(columns: dict[str, tuple[list, pa.DataType]]) -> pa.Table:
    return pa.table({name: pa.array(values, type=typ) for name, (values, typ) in columns.items()})


# --- projects, departments, units, districts -------------------------------------------------


def _existing_projects(conn: duckdb.DuckDBPyConnection, keys: list[tuple]) -> dict[tuple, dict]:
    if not keys:
        return {}
    probe = _table({
        "year": ([k[0] for k in keys], pa.int32()),
        "project_code": ([k[1] for k in keys], pa.string()),
    })  # fmt: skip
    _register(conn, "_import_probe", probe)
    try:
        cur = conn.execute(
            "select p.* from projects as p semi join _import_probe as k "
            "on p.year = k.year and p.project_code = k.project_code"
        )
        names = [d[0] for d in cur.description]
        return {(r[0], r[1]): dict(zip(names, r, strict=True)) for r in cur.fetchall()}
    finally:
        conn.unregister("_import_probe")


def write_projects(conn: duckdb.DuckDBPyConnection, data: FileData, batch_id: int) -> int:
    if not data.projects:
        return 0
    existing = _existing_projects(conn, list(data.projects))
    rows = []
    for key, (record, _ref) in data.projects.items():
        row = {k: v for k, v in record.items() if not k.startswith("_")}
        old = existing.get(key)
        for column in record.get("_absent", ()):
            # a column the file does not have keeps the database's value
            row[column] = old[column] if old else None
        for flag in ("is_key", "is_sensitive", "targets_disclosed"):
            if row[flag] is None:
                row[flag] = old[flag] if old else False
        rows.append(row)
    new = _table({
        "year": ([r["year"] for r in rows], pa.int32()),
        "project_code": ([r["project_code"] for r in rows], pa.string()),
        "project_name": ([r["project_name"] for r in rows], pa.string()),
        "department_code": ([r["department_code"] for r in rows], pa.string()),
        "unit_code": ([r["unit_code"] for r in rows], pa.string()),
        "budget_type": ([r["budget_type"] for r in rows], pa.string()),
        "category": ([r["category"] for r in rows], pa.string()),
        "service_class": ([r["service_class"] for r in rows], pa.string()),
        "is_key": ([r["is_key"] for r in rows], pa.bool_()),
        "is_sensitive": ([r["is_sensitive"] for r in rows], pa.bool_()),
        "targets_disclosed": ([r["targets_disclosed"] for r in rows], pa.bool_()),
        "initial_budget_yuan": ([r["initial_budget_yuan"] for r in rows], MONEY),
        "adjusted_budget_yuan": ([r["adjusted_budget_yuan"] for r in rows], MONEY),
    })  # fmt: skip
    _write_departments(conn, data, batch_id)
    return _replace(conn, "projects", new, batch_id)


def _write_departments(conn: duckdb.DuckDBPyConnection, data: FileData, batch_id: int) -> None:
    depts = [(code, rec) for code, (rec, _ref) in data.departments.items()]
    districts = sorted(data.districts)
    if districts:
        _register(conn, "_import_districts", _table({"district_name": (districts, pa.string())}))
        try:
            conn.execute(
                "insert or ignore into districts (district_name) "
                "select district_name from _import_districts"
            )
        finally:
            conn.unregister("_import_districts")
    if depts:
        new = _table({
            "department_code": ([c for c, _ in depts], pa.string()),
            "department_name": ([r["department_name"] for _, r in depts], pa.string()),
            "district_name": ([r["district_name"] for _, r in depts], pa.string()),
            "is_sensitive": ([r["is_sensitive"] for _, r in depts], pa.bool_()),
        })  # fmt: skip
        _register(conn, "_import_departments", new)
        try:
            conn.execute(
                "insert or ignore into departments "
                "(department_code, department_name, district_name, is_sensitive, batch_id) "
                "select department_code, department_name, district_name, "
                "coalesce(is_sensitive, false), $batch_id from _import_departments",
                {"batch_id": batch_id},
            )
            # known departments: a new name or district; sensitivity only where the file says
            conn.execute(
                "update departments as d set department_name = n.department_name, "
                "district_name = coalesce(n.district_name, d.district_name), "
                "is_sensitive = coalesce(n.is_sensitive, d.is_sensitive), batch_id = $batch_id "
                "from _import_departments as n where d.department_code = n.department_code",
                {"batch_id": batch_id},
            )
        finally:
            conn.unregister("_import_departments")
    units = [(code, rec) for code, (rec, _ref) in data.units.items()]
    if units:
        new = _table({
            "unit_code": ([c for c, _ in units], pa.string()),
            "unit_name": ([r["unit_name"] for _, r in units], pa.string()),
            "department_code": ([r["department_code"] for _, r in units], pa.string()),
        })  # fmt: skip
        _register(conn, "_import_units", new)
        try:
            conn.execute(
                "insert or ignore into units (unit_code, unit_name, department_code, batch_id) "
                "select unit_code, unit_name, department_code, $batch_id from _import_units",
                {"batch_id": batch_id},
            )
            conn.execute(
                "update units as u set unit_name = n.unit_name, "
                "department_code = n.department_code, batch_id = $batch_id "
                "from _import_units as n where u.unit_code = n.unit_code",
                {"batch_id": batch_id},
            )
        finally:
            conn.unregister("_import_units")


# --- spending ----------------------------------------------------------------------------------


def write_spending(
    conn: duckdb.DuckDBPyConnection, data: FileData, batch_id: int, notes: list[str]
) -> int:
    """Store cumulative spending per (year, month, project, fund source, economic class).
    Period input becomes cumulative by a running sum per key within the file, starting from
    the database's cumulative for the key at the latest month before the project's first
    month in the file."""
    if not data.spending:
        return 0
    period_projects = {k for k, (mode, _ref) in data.spending_mode.items() if mode == "period"}
    first_month: dict[tuple, int] = {}
    for year, month, code, _fund, _econ in data.spending:
        if (year, code) in period_projects:
            first_month[(year, code)] = min(month, first_month.get((year, code), 13))
    base = _period_bases(conn, first_month, data, notes)

    if not period_projects:  # cumulative figures, as given: no running sums to compute
        keys = list(data.spending)
        records = [record for record, _ref in data.spending.values()]
        new = _table({
            "year": ([k[0] for k in keys], pa.int32()),
            "month": ([k[1] for k in keys], pa.int32()),
            "project_code": ([k[2] for k in keys], pa.string()),
            "fund_source": ([k[3] for k in keys], pa.string()),
            "economic_class": ([k[4] for k in keys], pa.string()),
            "cumulative_yuan": ([r["amount"] for r in records], MONEY),
            "forecast_yuan": ([r["forecast_yuan"] for r in records], MONEY),
        })  # fmt: skip
        return _replace(conn, "spending", new, batch_id)
    by_key: dict[tuple, list[tuple[int, dict]]] = defaultdict(list)
    for (year, month, code, fund, econ), (record, _ref) in data.spending.items():
        by_key[(year, code, fund, econ)].append((month, record))
    out: dict[str, list] = defaultdict(list)
    for (year, code, fund, econ), months in by_key.items():
        months.sort(key=lambda item: item[0])
        running = base.get((year, code, fund, econ), Decimal(0))
        period = (year, code) in period_projects
        for month, record in months:
            if period:
                running += record["amount"]
                cumulative = running
            else:
                cumulative = record["amount"]
            out["year"].append(year)
            out["month"].append(month)
            out["project_code"].append(code)
            out["fund_source"].append(fund)
            out["economic_class"].append(econ)
            out["cumulative_yuan"].append(cumulative)
            out["forecast_yuan"].append(record["forecast_yuan"])
    new = _table({
        "year": (out["year"], pa.int32()),
        "month": (out["month"], pa.int32()),
        "project_code": (out["project_code"], pa.string()),
        "fund_source": (out["fund_source"], pa.string()),
        "economic_class": (out["economic_class"], pa.string()),
        "cumulative_yuan": (out["cumulative_yuan"], MONEY),
        "forecast_yuan": (out["forecast_yuan"], MONEY),
    })  # fmt: skip
    return _replace(conn, "spending", new, batch_id)


def _period_bases(
    conn: duckdb.DuckDBPyConnection,
    first_month: dict[tuple, int],
    data: FileData,
    notes: list[str],
) -> dict[tuple, Decimal]:
    if not first_month:
        return {}
    firsts = _table({
        "year": ([k[0] for k in first_month], pa.int32()),
        "project_code": ([k[1] for k in first_month], pa.string()),
        "first_month": (list(first_month.values()), pa.int32()),
    })  # fmt: skip
    file_months = sorted({(y, m, c) for (y, m, c, _f, _e) in data.spending})
    months = _table({
        "year": ([k[0] for k in file_months], pa.int32()),
        "month": ([k[1] for k in file_months], pa.int32()),
        "project_code": ([k[2] for k in file_months], pa.string()),
    })  # fmt: skip
    _register(conn, "_import_first_months", firsts)
    _register(conn, "_import_file_months", months)
    try:
        rows = conn.execute(
            "select s.year, s.project_code, s.fund_source, s.economic_class, "
            "arg_max(s.cumulative_yuan, s.month) "
            "from spending as s join _import_first_months as f "
            "on s.year = f.year and s.project_code = f.project_code and s.month < f.first_month "
            "group by all"
        ).fetchall()
        later = conn.execute(
            "select count(distinct (s.year, s.project_code)) "
            "from spending as s join _import_first_months as f "
            "on s.year = f.year and s.project_code = f.project_code and s.month > f.first_month "
            "anti join _import_file_months as m "
            "on s.year = m.year and s.month = m.month and s.project_code = m.project_code"
        ).fetchall()
    finally:
        conn.unregister("_import_first_months")
        conn.unregister("_import_file_months")
    later_count = later[0][0] if later else 0
    if later_count:
        notes.append(
            f"{later_count}个项目在数据库中另有本文件未含的更晚月份数据，其累计数未随本期支出重算，"
            "请一并重新导入 | "
            f"{later_count} projects have later months in the database that this file does not "
            "cover; their cumulative figures were not recomputed: re-import those months too"
        )
    return {(r[0], r[1], r[2], r[3]): r[4] for r in rows}


# --- indicators, costs, cost standards, rectifications ---------------------------------------


def write_indicators(conn: duckdb.DuckDBPyConnection, data: FileData, batch_id: int) -> int:
    if not data.indicators:
        return 0
    keys = list(data.indicators)
    recs = [data.indicators[k][0] for k in keys]
    new = _table({
        "year": ([k[0] for k in keys], pa.int32()),
        "project_code": ([k[1] for k in keys], pa.string()),
        "level1": ([k[2] for k in keys], pa.string()),
        "level2": ([k[3] for k in keys], pa.string()),
        "indicator_name": ([k[4] for k in keys], pa.string()),
        "operator": ([r["operator"] for r in recs], pa.string()),
        "target_value": ([r["target_value"] for r in recs], VALUE),
        "target_text": ([r["target_text"] for r in recs], pa.string()),
        "unit": ([r["unit"] for r in recs], pa.string()),
        "points": ([r["points"] for r in recs], POINTS),
        "is_cumulative": ([r["is_cumulative"] for r in recs], pa.bool_()),
    })  # fmt: skip
    return _replace(conn, "indicators", new, batch_id)


def write_indicator_actuals(conn: duckdb.DuckDBPyConnection, data: FileData, batch_id: int) -> int:
    if not data.actuals:
        return 0
    keys = list(data.actuals)
    recs = [data.actuals[k][0] for k in keys]
    new = _table({
        "year": ([k[0] for k in keys], pa.int32()),
        "project_code": ([k[1] for k in keys], pa.string()),
        "level1": ([k[2] for k in keys], pa.string()),
        "level2": ([k[3] for k in keys], pa.string()),
        "indicator_name": ([k[4] for k in keys], pa.string()),
        "month": ([k[5] for k in keys], pa.int32()),
        "actual_value": ([r["actual_value"] for r in recs], VALUE),
        "actual_text": ([r["actual_text"] for r in recs], pa.string()),
        "period_target": ([r["period_target"] for r in recs], VALUE),
        "reason": ([r["reason"] for r in recs], pa.string()),
        "claimed_score": ([r["claimed_score"] for r in recs], POINTS),
        # the monitoring table's remarks (a template's actuals have none)
        "forecast_value": ([r.get("forecast_value") for r in recs], VALUE),
        "forecast_text": ([r.get("forecast_text") for r in recs], pa.string()),
        "deviation_category": ([r.get("deviation_category") for r in recs], pa.string()),
        "completion_likelihood": ([r.get("completion_likelihood") for r in recs], pa.string()),
    })  # fmt: skip
    return _replace(conn, "indicator_actuals", new, batch_id)


def write_costs(conn: duckdb.DuckDBPyConnection, data: FileData, batch_id: int) -> int:
    if not data.costs:
        return 0
    keys = list(data.costs)
    recs = [data.costs[k][0] for k in keys]
    new = _table({
        "year": ([k[0] for k in keys], pa.int32()),
        "project_code": ([k[1] for k in keys], pa.string()),
        "cost_item": ([k[2] for k in keys], pa.string()),
        "amount_yuan": ([r["amount_yuan"] for r in recs], MONEY),
        "output_quantity": ([r["output_quantity"] for r in recs], VALUE),
        "output_unit": ([r["output_unit"] for r in recs], pa.string()),
    })  # fmt: skip
    return _replace(conn, "costs", new, batch_id)


def write_cost_standards(conn: duckdb.DuckDBPyConnection, data: FileData, batch_id: int) -> int:
    if not data.cost_standards:
        return 0
    keys = list(data.cost_standards)
    new = _table({
        "year": ([k[0] for k in keys], pa.int32()),
        "service_class": ([k[1] for k in keys], pa.string()),
        "output_unit": ([k[2] for k in keys], pa.string()),
        "standard_unit_cost_yuan": (
            [data.cost_standards[k][0]["standard_unit_cost_yuan"] for k in keys], UNIT_COST),
    })  # fmt: skip
    return _replace(conn, "cost_standards", new, batch_id)


def write_rectifications(conn: duckdb.DuckDBPyConnection, data: FileData, batch_id: int) -> int:
    if not data.rectifications:
        return 0
    keys = list(data.rectifications)
    new = _table({
        "project_code": ([k[0] for k in keys], pa.string()),
        "issue": ([k[1] for k in keys], pa.string()),
        "feedback_date": ([k[2] for k in keys], pa.date32()),
        "done_date": ([data.rectifications[k][0]["done_date"] for k in keys], pa.date32()),
    })  # fmt: skip
    return _replace(conn, "rectifications", new, batch_id)


def write_self_evaluations(conn: duckdb.DuckDBPyConnection, data: FileData, batch_id: int) -> int:
    if not data.self_evaluations:
        return 0
    keys = list(data.self_evaluations)
    recs = [data.self_evaluations[k][0] for k in keys]
    new = _table({
        "year": ([k[0] for k in keys], pa.int32()),
        "project_code": ([k[1] for k in keys], pa.string()),
        "execution_points": ([r["execution_points"] for r in recs], POINTS),
        "claimed_execution_score": ([r["claimed_execution_score"] for r in recs], POINTS),
        "claimed_total_score": ([r["claimed_total_score"] for r in recs], POINTS),
        "claimed_grade": ([r["claimed_grade"] for r in recs], pa.string()),
        "goal_expected": ([r.get("goal_expected") for r in recs], pa.string()),
        "goal_actual": ([r.get("goal_actual") for r in recs], pa.string()),
    })  # fmt: skip
    return _replace(conn, "self_evaluations", new, batch_id)


def write_budget_requests(conn: duckdb.DuckDBPyConnection, data: FileData, batch_id: int) -> int:
    if not data.budget_requests:
        return 0
    keys = list(data.budget_requests)
    recs = [data.budget_requests[k][0] for k in keys]
    new = _table({
        "year": ([k[0] for k in keys], pa.int32()),
        "project_code": ([k[1] for k in keys], pa.string()),
        "project_name": ([r["project_name"] for r in recs], pa.string()),
        "department_code": ([r["department_code"] for r in recs], pa.string()),
        "department_name": ([r["department_name"] for r in recs], pa.string()),
        "unit_code": ([r["unit_code"] for r in recs], pa.string()),
        "service_class": ([r["service_class"] for r in recs], pa.string()),
        "requested_amount_yuan": ([r["requested_amount_yuan"] for r in recs], MONEY),
        "planned_output_quantity": ([r["planned_output_quantity"] for r in recs], VALUE),
        "output_unit": ([r["output_unit"] for r in recs], pa.string()),
        "is_new": ([r["is_new"] for r in recs], pa.bool_()),
    })  # fmt: skip
    return _replace(conn, "budget_requests", new, batch_id)


def next_batch_id(conn: duckdb.DuckDBPyConnection) -> int:
    rows = conn.execute("select nextval('batch_id_seq')").fetchall()
    return int(rows[0][0])


def write_batch(
    conn: duckdb.DuckDBPyConnection,
    *,
    batch_id: int,
    file_name: str,
    sha256: str,
    layout: str,
    table_kinds: list[str],
    row_counts: dict[str, int],
    replaced_count: int,
    user: str,
    note: str | None,
) -> None:
    conn.execute(
        "insert into import_batches (batch_id, file_name, sha256, layout, table_kinds, "
        "row_count, row_counts, replaced_count, imported_at, imported_by, status, note) "
        "values ($batch_id, $file_name, $sha256, $layout, $table_kinds, $row_count, "
        "$row_counts, $replaced_count, $imported_at, $imported_by, 'active', $note)",
        {
            "batch_id": batch_id,
            "file_name": file_name,
            "sha256": sha256,
            "layout": layout,
            "table_kinds": ",".join(table_kinds),
            "row_count": sum(row_counts.values()),
            "row_counts": json.dumps(row_counts, ensure_ascii=False),
            "replaced_count": replaced_count,
            "imported_at": dt.datetime.now().replace(microsecond=0),
            "imported_by": user,
            "note": note,
        },
    )


def write_file(
    conn: duckdb.DuckDBPyConnection,
    data: FileData,
    batch_id: int,
    notes: list[str],
    progress: Callable[[float, str], None] | None = None,
) -> dict[str, int]:
    """Write every table of one file under its batch: one row per record
    (data.record_counts()). Returns the rows superseded, per kind of record with any
    (importer/counts.py). progress(fraction of this file, label) is called before each table."""
    steps: list[tuple[str, str, Callable[[], int]]] = [
        ("projects", "项目 | projects", lambda: write_projects(conn, data, batch_id)),
        ("execution", "预算执行 | execution", lambda: write_spending(conn, data, batch_id, notes)),
        ("indicators", "绩效指标 | indicators", lambda: write_indicators(conn, data, batch_id)),
        ("indicator_actuals", "指标完成值 | indicator values",
         lambda: write_indicator_actuals(conn, data, batch_id)),
        ("costs", "成本 | costs", lambda: write_costs(conn, data, batch_id)),
        ("cost_standards", "成本标准 | cost standards",
         lambda: write_cost_standards(conn, data, batch_id)),
        ("rectifications", "整改 | rectifications", lambda: write_rectifications(conn, data, batch_id)),
        ("self_evaluations", "自评 | self-evaluations",
         lambda: write_self_evaluations(conn, data, batch_id)),
        ("budget_requests", "预算申请 | budget requests",
         lambda: write_budget_requests(conn, data, batch_id)),
    ]  # fmt: skip
    replaced: dict[str, int] = {}
    for k, (kind, label, write) in enumerate(steps):
        if progress is not None:
            progress(
                k / len(steps), f"写入{label.split(' | ')[0]} | writing {label.split(' | ')[1]}"
            )
        n = write()
        if n:
            replaced[kind] = n
    return replaced
