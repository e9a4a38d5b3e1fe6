"""Batch history: what a re-import changed (batch_changes) and taking a batch back
(rollback_batch).

Every import writes one batch per file; the rows it replaced sit in the `<table>_history`
twins with superseded_by = that batch. Rolling a batch back deletes its rows and puts back
the rows it superseded — refused when a later active batch has since replaced rows of this
one (that batch must be rolled back first), so history is only ever unwound in order.

Table and column names below come from the fixed lists in this module, never from input;
every value is bound."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pandas as pd

from perfbudget.db import transaction
from perfbudget.importer.load import REPLACE_KEYS

# tables with a history twin, their primary key, and the value columns batch_changes compares
TABLES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "projects": (("year", "project_code"),
                 ("project_name", "department_code", "unit_code", "budget_type",
                  "initial_budget_yuan", "adjusted_budget_yuan")),
    "spending": (("year", "month", "project_code", "fund_source", "economic_class"),
                 ("cumulative_yuan", "forecast_yuan")),
    "indicators": (("year", "project_code", "level1", "level2", "indicator_name"),
                   ("operator", "target_value", "target_text", "unit", "points")),
    "indicator_actuals": (("year", "project_code", "level1", "level2", "indicator_name",
                           "month"), ("actual_value", "actual_text", "claimed_score", "reason",
                                      "forecast_value", "forecast_text", "deviation_category",
                                      "completion_likelihood")),
    "costs": (("year", "project_code", "cost_item"),
              ("amount_yuan", "output_quantity", "output_unit")),
    "cost_standards": (("year", "service_class", "output_unit"), ("standard_unit_cost_yuan",)),
    "rectifications": (("project_code", "issue", "feedback_date"), ("done_date",)),
    "self_evaluations": (("year", "project_code"),
                         ("execution_points", "claimed_execution_score", "claimed_total_score",
                          "claimed_grade", "goal_expected", "goal_actual")),
}  # fmt: skip

CHANGE_COLUMNS = ["table", "key", "column", "old_value", "new_value", "change"]


class RollbackRefused(Exception):
    """The batch cannot be rolled back; the message is bilingual. Nothing was changed."""

    def __init__(self, message_zh: str, message_en: str):
        super().__init__(f"{message_zh} | {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en


@dataclass(frozen=True)
class RollbackResult:
    batch_id: int
    deleted: dict[str, int]  # table -> rows of the batch removed
    restored: dict[str, int]  # table -> superseded rows put back

    def summary_line(self) -> str:
        d, r = sum(self.deleted.values()), sum(self.restored.values())
        return (f"批次{self.batch_id}已撤销：删除{d}行，恢复被替换的{r}行 | batch {self.batch_id} "
                f"rolled back: {d} rows removed, {r} replaced rows restored")  # fmt: skip


def list_batches(conn: duckdb.DuckDBPyConnection, limit: int = 200) -> pd.DataFrame:
    """The import history, newest first (the same rows as queries/import_batches.sql)."""
    from perfbudget.db import run_query

    return run_query(conn, "import_batches", limit=limit)


def _batch(conn: duckdb.DuckDBPyConnection, batch_id: int) -> tuple[str, str] | None:
    rows = conn.execute(
        "select status, file_name from import_batches where batch_id = $b", {"b": batch_id}
    ).fetchall()
    return (rows[0][0], rows[0][1]) if rows else None


def rollback_batch(conn: duckdb.DuckDBPyConnection, batch_id: int, user: str) -> RollbackResult:
    """Take one batch back in a single transaction: its rows go, the rows it superseded
    come back from the history, the batch is marked rolled_back (rolled_back_by, _at).
    Raises RollbackRefused, changing nothing, when the batch is unknown or already rolled
    back, or when a later active batch replaced some of its rows."""
    batch = _batch(conn, batch_id)
    if batch is None:
        raise RollbackRefused(f"没有批次{batch_id}", f"there is no batch {batch_id}")
    status, file_name = batch
    if status != "active":
        raise RollbackRefused(f"批次{batch_id}（{file_name}）已撤销过",
                              f"batch {batch_id} ({file_name}) was already rolled back")  # fmt: skip
    later = _later_batches(conn, batch_id)
    if later:
        ids = "、".join(str(b) for b in later)
        raise RollbackRefused(
            f"批次{batch_id}（{file_name}）的部分数据已被后来的批次{ids}替换：请先撤销批次{ids}",
            f"rows of batch {batch_id} ({file_name}) were replaced by the later batch(es) "
            f"{', '.join(map(str, later))}: roll those back first",
        )
    deleted: dict[str, int] = {}
    restored: dict[str, int] = {}
    with transaction(conn):
        for table in TABLES:
            same = " and ".join(f"t.{k} = h.{k}" for k in TABLES[table][0])
            # a restored row must not collide with a live row of another batch
            clash = conn.execute(
                f"select count(*) from {table}_history as h where h.superseded_by = $b "
                f"and exists (select 1 from {table} as t where {same} "
                "and t.batch_id is distinct from $b)",
                {"b": batch_id},
            ).fetchall()[0][0]
            if clash:
                raise RollbackRefused(
                    f"无法撤销批次{batch_id}：{table}中有{clash}行已被其他批次的数据占用",
                    f"batch {batch_id} cannot be rolled back: {clash} rows of {table} are now "
                    "held by another batch's data",
                )
            deleted[table] = conn.execute(
                f"delete from {table} where batch_id = $b", {"b": batch_id}
            ).fetchall()[0][0]
            restored[table] = conn.execute(
                f"insert into {table} by name select * exclude (superseded_by) "
                f"from {table}_history where superseded_by = $b", {"b": batch_id},
            ).fetchall()[0][0]  # fmt: skip
            conn.execute(f"delete from {table}_history where superseded_by = $b", {"b": batch_id})
        # departments and units last written by this or another rolled-back batch that
        # nothing refers to any more
        gone = ("(batch_id = $b or batch_id in "
                "(select batch_id from import_batches where status = 'rolled_back'))")
        conn.execute(
            f"delete from units as u where {gone} and not exists "
            "(select 1 from projects as p where p.unit_code = u.unit_code)", {"b": batch_id},
        )  # fmt: skip
        conn.execute(
            f"delete from departments as d where {gone} and not exists "
            "(select 1 from projects as p where p.department_code = d.department_code) "
            "and not exists (select 1 from units as u where u.department_code = d.department_code)",
            {"b": batch_id},
        )
        conn.execute(
            "update import_batches set status = 'rolled_back', rolled_back_at = $at, "
            "rolled_back_by = $user where batch_id = $b",
            {"b": batch_id, "at": dt.datetime.now().replace(microsecond=0), "user": user},
        )
    return RollbackResult(batch_id, {k: v for k, v in deleted.items() if v},
                          {k: v for k, v in restored.items() if v})  # fmt: skip


def _later_batches(conn: duckdb.DuckDBPyConnection, batch_id: int) -> list[int]:
    """Active batches that superseded rows written by this batch."""
    union = " union ".join(
        f"select superseded_by from {t}_history where batch_id = $b" for t in TABLES
    )
    rows = conn.execute(
        f"select distinct s.superseded_by from ({union}) as s "
        "join import_batches as b on b.batch_id = s.superseded_by and b.status = 'active' "
        "order by 1",
        {"b": batch_id},
    ).fetchall()
    return [r[0] for r in rows]


def batch_changes(conn: duckdb.DuckDBPyConnection, batch_id: int) -> pd.DataFrame:
    """What this batch changed in rows that were there before it: one row per (table, key,
    column) whose value differs — columns table, key ("2025/12/P1/…"), column, old_value,
    new_value (exact Decimal for money), change: 'changed'; 'removed' for an old row whose
    key the batch no longer has (e.g. a fund source) and 'added' for a new row in what the
    batch replaced (the same year, month and project). Empty for a batch that replaced
    nothing."""
    out: list[dict] = []
    for table, (pk, values) in TABLES.items():
        cols = ", ".join((*pk, *values))
        old = conn.execute(
            f"select {cols} from {table}_history where superseded_by = $b order by all",
            {"b": batch_id},
        ).fetchall()
        if not old:
            continue
        new = conn.execute(
            f"select {cols} from {table} where batch_id = $b union all "
            f"select {cols} from {table}_history where batch_id = $b", {"b": batch_id},
        ).fetchall()  # fmt: skip
        n = len(pk)
        new_rows = {row[:n]: row[n:] for row in new}
        old_keys = {row[:n] for row in old}
        grain = [pk.index(k) for k in REPLACE_KEYS[table]]
        old_grains = {tuple(row[g] for g in grain) for row in old}
        for key, new_values in new_rows.items():
            if key not in old_keys and tuple(key[g] for g in grain) in old_grains:
                label = "/".join("" if k is None else str(k) for k in key)
                out.extend(
                    {"table": table, "key": label, "column": col, "old_value": None,
                     "new_value": value, "change": "added"}
                    for col, value in zip(values, new_values, strict=True) if value is not None
                )  # fmt: skip
        for row in old:
            key, old_values = row[:n], row[n:]
            label = "/".join("" if k is None else str(k) for k in key)
            if key not in new_rows:
                out.extend(
                    {"table": table, "key": label, "column": col, "old_value": value,
                     "new_value": None, "change": "removed"}
                    for col, value in zip(values, old_values, strict=True) if value is not None
                )  # fmt: skip
                continue
            for col, before, after in zip(values, old_values, new_rows[key], strict=True):
                if before != after:
                    out.append({"table": table, "key": label, "column": col, "old_value": before,
                                "new_value": after, "change": "changed"})  # fmt: skip
    return pd.DataFrame(out, columns=CHANGE_COLUMNS)


__all__ = ["RollbackRefused", "RollbackResult", "batch_changes",
           "list_batches", "rollback_batch"]  # fmt: skip
