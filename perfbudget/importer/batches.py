"""Batch history: what a re-import changed (batch_changes), taking a batch back
(rollback_batch) and undoing that (restore_batch). Nothing is ever deleted.

Every import writes one batch per file; the rows it replaced sit in the `<table>_history`
twins with superseded_by = that batch. A history row is in one of three states:

- superseded: batch_id = the batch that wrote it, superseded_by = the batch that replaced it;
- reinstated (reinstated = true): superseded, but live again (a copy is in the table)
  because its superseding batch was rolled back;
- archived (rolled_back = true, superseded_by null): the batch's own row, taken out of the
  table when the batch was rolled back.

Rolling batch B back archives B's rows and copies the rows B superseded back into the tables
(marking their history copies reinstated); departments and units left with nothing referring
to them go to departments_history / units_history (removed_by = B). Refused while a later
active batch has replaced rows of B (roll that one back first), so history is unwound in
order. Restoring B undoes exactly that: the reinstated rows go back to history, B's archived
rows and departments return, the batch is active again. Refused when something has changed
at B's replacement grain since (importer/load.REPLACE_KEYS): a later batch to roll back, or a
batch whose rows B's rollback put back that was itself rolled back (restore it first).

A row is identified by its primary key and the batch that wrote it: one batch writes one row
per key, so a history row and a live row with the same (key, batch_id) are copies of each
other. The same row can have several history copies (superseded by one batch, then by
another after the first was rolled back); only the copy superseded by B is B's.

Table and column names below come from the fixed lists in this module, never from input;
every value is bound."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from perfbudget import audit, results, users
from perfbudget.db import run_query, transaction
from perfbudget.importer.counts import by_kind, counts_text
from perfbudget.importer.load import REPLACE_KEYS, check_unique

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
    "budget_requests": (("year", "project_code"),
                        ("project_name", "department_code", "unit_code", "service_class",
                         "requested_amount_yuan", "planned_output_quantity", "output_unit",
                         "is_new")),
}  # fmt: skip

CHANGE_COLUMNS = ["table", "key", "column", "old_value", "new_value", "change"]

# Departments and units have no batch history of their own (an import updates them in place);
# a rollback archives the ones it leaves unreferenced, keyed by code.
REFERENCE_TABLES: dict[str, str] = {"units": "unit_code", "departments": "department_code"}

# the codes the live rows refer to, per reference table
_REFERRING: dict[str, str] = {
    "units": "select unit_code from projects",
    "departments": "select department_code from projects union select department_code from units",
}

# the columns a history twin has beyond its table's
_HISTORY_ONLY = "superseded_by, rolled_back, reinstated"


class RollbackRefused(Exception):
    """The batch cannot be rolled back; the message is bilingual. Nothing was changed."""

    def __init__(self, message_zh: str, message_en: str):
        super().__init__(f"{message_zh} | {message_en}")
        self.message_zh = message_zh
        self.message_en = message_en


class RestoreRefused(RollbackRefused):
    """The rolled-back batch cannot be restored; the message is bilingual. Nothing was
    changed."""


# RollbackResult and RestoreResult count rows per kind of record (importer/counts.py), as the
# import did: a rollback archives the batch's rows (its row_counts) and puts back the rows it
# replaced (its replaced_count); a restore does the reverse.


@dataclass(frozen=True)
class RollbackResult:
    batch_id: int
    archived: dict[str, int]  # kind -> rows of the batch moved to the history (restorable)
    restored: dict[str, int]  # kind -> superseded rows put back
    reference: dict[str, int] = field(default_factory=dict)  # departments/units archived

    def summary_line(self) -> str:
        a, r = sum(self.archived.values()), sum(self.restored.values())
        zh = (f"批次{self.batch_id}已撤销：它导入的{a}行数据移入历史存档（恢复此批次即可取回），"
              f"被它替换的{r}行恢复原样")  # fmt: skip
        en = (
            f"batch {self.batch_id} rolled back: its {a} rows are archived in the history "
            f"(restore the batch to bring them back), the {r} rows it replaced are back"
        )
        if a:
            zh += f"；存档的是{counts_text(self.archived, 'zh')}"
            en += f"; archived: {counts_text(self.archived, 'en')}"
        if r:
            zh += f"，恢复的是{counts_text(self.restored, 'zh')}"
            en += f"; back: {counts_text(self.restored, 'en')}"
        n = sum(self.reference.values())
        if n:
            zh += f"；{n}个不再有项目的部门或单位一并存档"
            en += f"; {n} departments or units with no project left archived too"
        return f"{zh} | {en}"


@dataclass(frozen=True)
class RestoreResult:
    batch_id: int
    restored: dict[str, int]  # kind -> rows of the batch back from the archive
    archived: dict[str, int]  # kind -> rows its rollback had put back, returned to the history
    reference: dict[str, int] = field(default_factory=dict)  # departments/units back

    def summary_line(self) -> str:
        r, a = sum(self.restored.values()), sum(self.archived.values())
        zh = (f"批次{self.batch_id}已恢复：它导入的{r}行数据重新生效，"
              f"撤销时恢复的{a}行重新存入历史")  # fmt: skip
        en = (
            f"batch {self.batch_id} restored: its {r} rows are back, the {a} rows its "
            "rollback had put back are in the history again"
        )
        if r:
            zh += f"；重新生效的是{counts_text(self.restored, 'zh')}"
            en += f"; back: {counts_text(self.restored, 'en')}"
        if a:
            zh += f"，重新存入历史的是{counts_text(self.archived, 'zh')}"
            en += f"; to the history: {counts_text(self.archived, 'en')}"
        n = sum(self.reference.values())
        if n:
            zh += f"；{n}个部门或单位一并恢复"
            en += f"; {n} departments or units back too"
        return f"{zh} | {en}"


def list_batches(conn: duckdb.DuckDBPyConnection, limit: int = 200) -> pd.DataFrame:
    """The import history, newest first (the same rows as queries/import_batches.sql)."""
    return run_query(conn, "import_batches", limit=limit)


def _batch(conn: duckdb.DuckDBPyConnection, batch_id: int) -> tuple[str, str] | None:
    rows = conn.execute(
        "select status, file_name from import_batches where batch_id = $b", {"b": batch_id}
    ).fetchall()
    return (rows[0][0], rows[0][1]) if rows else None


def _same(pk: tuple[str, ...], a: str, b: str) -> str:
    """a and b are the same row: its key and the batch that wrote it."""
    keys = " and ".join(f"{a}.{k} = {b}.{k}" for k in pk)
    return f"{keys} and {a}.batch_id is not distinct from {b}.batch_id"


def _ids(batches: list[int], sep: str) -> str:
    return sep.join(str(b) for b in batches)


def rollback_batch(
    conn: duckdb.DuckDBPyConnection, batch_id: int, user: str, *, origin: str = ""
) -> RollbackResult:
    """Take one batch back in a single transaction: its rows move to the history (archived,
    rolled_back), the rows it superseded come back from the history (their copies there
    marked reinstated), departments and units nothing refers to any more are archived, the
    batch is marked rolled_back (rolled_back_by, _at). restore_batch undoes it.
    Raises RollbackRefused, changing nothing, when the batch is unknown or already rolled
    back, or when a later active batch replaced some of its rows."""
    archived: dict[str, int] = {}
    restored: dict[str, int] = {}
    b = {"b": batch_id}
    with transaction(conn):
        # checked inside the transaction: a refusal rolls it back, having changed nothing
        batch = _batch(conn, batch_id)
        if batch is None:
            raise RollbackRefused(f"没有批次{batch_id}", f"there is no batch {batch_id}")
        status, file_name = batch
        if status != "active":
            raise RollbackRefused(f"批次{batch_id}（{file_name}）已撤销过",
                                  f"batch {batch_id} ({file_name}) was already rolled back")  # fmt: skip
        _check_rights(conn, batch_id, user, RollbackRefused)
        later = _later_batches(conn, batch_id)
        if later:
            ids = _ids(later, "、")
            raise RollbackRefused(
                f"批次{batch_id}（{file_name}）的部分数据已被后来的批次{ids}替换：请先撤销批次{ids}",
                f"rows of batch {batch_id} ({file_name}) were replaced by the later batch(es) "
                f"{_ids(later, ', ')}: roll those back first",
            )
        for table, (pk, _values) in TABLES.items():
            same = " and ".join(f"t.{k} = h.{k}" for k in pk)
            # a restored row must not collide with a live row of another batch
            clash = conn.execute(
                f"select count(*) from {table}_history as h where h.superseded_by = $b "
                f"and not h.reinstated and exists (select 1 from {table} as t where {same} "
                "and t.batch_id is distinct from $b)", b,
            ).fetchall()[0][0]  # fmt: skip
            if clash:
                raise RollbackRefused(
                    f"无法撤销批次{batch_id}：{table}中有{clash}行已被其他批次的数据占用",
                    f"batch {batch_id} cannot be rolled back: {clash} rows of {table} are now "
                    "held by another batch's data",
                )
            archived[table] = conn.execute(
                f"insert into {table}_history by name "
                f"select t.*, true as rolled_back from {table} as t where t.batch_id = $b", b,
            ).fetchall()[0][0]  # fmt: skip
            conn.execute(f"delete from {table} where batch_id = $b", b)
            restored[table] = conn.execute(
                f"insert into {table} by name select * exclude ({_HISTORY_ONLY}) "
                f"from {table}_history where superseded_by = $b and not reinstated", b,
            ).fetchall()[0][0]  # fmt: skip
            check_unique(conn, table, f"select * from {table}_history where superseded_by = $b", b)
            conn.execute(
                f"update {table}_history set reinstated = true "
                "where superseded_by = $b and not reinstated", b,
            )  # fmt: skip
        reference = _archive_orphans(conn, batch_id)
        results.invalidate_batch(conn, batch_id)  # the writer then refreshes them
        conn.execute(
            "update import_batches set status = 'rolled_back', rolled_back_at = $at, "
            "rolled_back_by = $user where batch_id = $b",
            {"b": batch_id, "at": dt.datetime.now().replace(microsecond=0), "user": user},
        )
        audit.record(conn, user=user, action=audit.ROLLBACK, origin=origin,
                     detail=f"batch {batch_id}: {file_name}")  # fmt: skip
    return RollbackResult(batch_id, by_kind(archived), by_kind(restored),
                          {k: v for k, v in reference.items() if v})  # fmt: skip


def _check_rights(
    conn: duckdb.DuckDBPyConnection, batch_id: int, user: str, refused: type[RollbackRefused]
) -> None:
    """A configured user (perfbudget.users) takes back or restores a batch they imported, or
    any with the rollback_any right; any other name is the local admin's (the local mode)."""
    acting = users.find_user(conn, user)
    if acting is None:
        return
    owner = conn.execute(
        "select imported_by from import_batches where batch_id = ?", [batch_id]
    ).fetchall()[0][0]
    if not acting.may_roll_back(owner):
        raise refused(
            f"用户 {user} 无权撤销或恢复 {owner} 导入的批次{batch_id}",
            f"the user {user} may not roll back or restore batch {batch_id}, imported by {owner}",
        )


def _archive_orphans(conn: duckdb.DuckDBPyConnection, batch_id: int) -> dict[str, int]:
    """Departments and units last written by this or another rolled-back batch that nothing
    refers to any more move to their history (removed_by = this batch). Units first: a
    department is kept while a unit refers to it."""
    gone = ("(x.batch_id = $b or x.batch_id in "
            "(select batch_id from import_batches where status = 'rolled_back'))")  # fmt: skip
    orphan = {
        "units": f"{gone} and not exists "
                 "(select 1 from projects as p where p.unit_code = x.unit_code)",
        "departments": f"{gone} and not exists "
                       "(select 1 from projects as p where p.department_code = x.department_code) "
                       "and not exists (select 1 from units as u "
                       "where u.department_code = x.department_code)",
    }  # fmt: skip
    out: dict[str, int] = {}
    for table in REFERENCE_TABLES:
        out[table] = conn.execute(
            f"insert into {table}_history by name select x.*, $b as removed_by "
            f"from {table} as x where {orphan[table]}", {"b": batch_id},
        ).fetchall()[0][0]  # fmt: skip
        conn.execute(f"delete from {table} as x where {orphan[table]}", {"b": batch_id})
    return out


def restore_batch(
    conn: duckdb.DuckDBPyConnection, batch_id: int, user: str, *, origin: str = ""
) -> RestoreResult:
    """Undo the rollback of one batch in a single transaction, giving back exactly the state
    before it: the rows its rollback put back return to the history (reinstated = false),
    the batch's archived rows return to the tables, the departments and units its rollback
    archived return (unless a later import wrote the same code: that one is newer and stays),
    as do archived ones its rows refer to (archived by a later rollback: restores out of
    order), the batch is active again (restored_by, _at).
    Raises RestoreRefused, changing nothing, when the batch is unknown or not rolled back, or
    when the data at its replacement grain changed since its rollback."""
    restored: dict[str, int] = {}
    archived: dict[str, int] = {}
    reference: dict[str, int] = {}
    b = {"b": batch_id}
    with transaction(conn):
        # checked inside the transaction: a refusal rolls it back, having changed nothing
        batch = _batch(conn, batch_id)
        if batch is None:
            raise RestoreRefused(f"没有批次{batch_id}", f"there is no batch {batch_id}")
        status, file_name = batch
        if status != "rolled_back":
            raise RestoreRefused(f"批次{batch_id}（{file_name}）未被撤销，无需恢复",
                                 f"batch {batch_id} ({file_name}) is not rolled back: there is "
                                 "nothing to restore")  # fmt: skip
        _check_rights(conn, batch_id, user, RestoreRefused)
        if not _has_archive(conn, batch_id):
            # rolled back by an earlier version, which deleted the batch's rows
            raise RestoreRefused(
                f"批次{batch_id}（{file_name}）是在旧版本中撤销的，当时它的数据已被删除，无法恢复："
                "请重新导入原文件",
                f"batch {batch_id} ({file_name}) was rolled back by an earlier version, which "
                "deleted its rows: it cannot be restored; import its file again",
            )
        _check_restorable(conn, batch_id, file_name)
        results.invalidate_batch(conn, batch_id)  # the writer then refreshes them
        for table, (pk, _values) in TABLES.items():
            archived[table] = conn.execute(
                f"delete from {table} as t using {table}_history as h "
                f"where h.superseded_by = $b and h.reinstated and {_same(pk, 't', 'h')}", b,
            ).fetchall()[0][0]  # fmt: skip
            conn.execute(
                f"update {table}_history set reinstated = false "
                "where superseded_by = $b and reinstated", b,
            )  # fmt: skip
            restored[table] = conn.execute(
                f"insert into {table} by name select * exclude ({_HISTORY_ONLY}) "
                f"from {table}_history where batch_id = $b and rolled_back", b,
            ).fetchall()[0][0]  # fmt: skip
            check_unique(conn, table, f"select * from {table} where batch_id = $b", b)
            conn.execute(f"delete from {table}_history where batch_id = $b and rolled_back", b)
        for table, code in reversed(REFERENCE_TABLES.items()):  # departments, then units
            reference[table] = conn.execute(
                f"insert into {table} by name select * exclude (removed_by) "
                f"from {table}_history as h where h.removed_by = $b and not exists "
                f"(select 1 from {table} as x where x.{code} = h.{code})", b,
            ).fetchall()[0][0]  # fmt: skip
            conn.execute(f"delete from {table}_history where removed_by = $b", b)
        # restored out of order: a department or unit the rows now refer to may have been
        # archived by a later rollback (of an earlier batch); its latest copy comes back too
        for table, code in REFERENCE_TABLES.items():  # units first: a unit names its department
            reference[table] += conn.execute(
                f"insert into {table} by name select * exclude (removed_by) "
                f"from {table}_history as h where h.{code} in ({_REFERRING[table]}) "
                f"and not exists (select 1 from {table} as x where x.{code} = h.{code}) "
                f"qualify row_number() over (partition by h.{code} order by h.removed_by desc) = 1",
            ).fetchall()[0][0]  # fmt: skip
        conn.execute(
            "update import_batches set status = 'active', restored_at = $at, "
            "restored_by = $user where batch_id = $b",
            {"b": batch_id, "at": dt.datetime.now().replace(microsecond=0), "user": user},
        )
        audit.record(conn, user=user, action=audit.RESTORE, origin=origin,
                     detail=f"batch {batch_id}: {file_name}")  # fmt: skip
    return RestoreResult(batch_id, by_kind(restored), by_kind(archived),
                         {k: v for k, v in reference.items() if v})  # fmt: skip


def _has_archive(conn: duckdb.DuckDBPyConnection, batch_id: int) -> bool:
    """Whether the batch's rows are in the archive (true of every batch with rows that was
    rolled back since rollbacks archive; a batch always writes rows)."""
    union = " union all ".join(
        f"select 1 from {t}_history where batch_id = $b and rolled_back" for t in TABLES
    )
    return bool(conn.execute(f"select exists ({union})", {"b": batch_id}).fetchall()[0][0])


def _check_restorable(conn: duckdb.DuckDBPyConnection, batch_id: int, file_name: str) -> None:
    """Raise RestoreRefused unless the data at the batch's replacement grain is still what its
    rollback left: exactly the rows it put back (reinstated), all of them live. Names the
    later batches that changed it (roll them back first) and the batches whose rows it put
    back that were rolled back since (restore them first)."""
    later: set[int] = set()
    rolled: set[int] = set()
    unexplained = 0
    b = {"b": batch_id}
    for table, (pk, _values) in TABLES.items():
        grain = REPLACE_KEYS[table]
        # live rows at the batch's grain that are not the rows its rollback put back
        foreign = conn.execute(
            f"with grains as (select distinct {', '.join(grain)} from {table}_history "
            "where (batch_id = $b and rolled_back) or (superseded_by = $b and reinstated)), "
            f"mine as (select * from {table}_history where superseded_by = $b and reinstated) "
            f"select t.batch_id, count(*) from {table} as t semi join grains as g on "
            + " and ".join(f"t.{k} = g.{k}" for k in grain)
            + f" where not exists (select 1 from mine as m where {_same(pk, 't', 'm')}) "
            "group by all", b,
        ).fetchall()  # fmt: skip
        for writer, n in foreign:
            if writer is not None and writer > batch_id:
                later.add(writer)
            else:
                unexplained += n
        # rows its rollback put back that are no longer live: replaced by an active batch
        # since, or their own batch was rolled back
        missing = conn.execute(
            f"select h.batch_id, w.status, s.superseded_by from {table}_history as h "
            "left join import_batches as w on w.batch_id = h.batch_id "
            f"left join (select x.* from {table}_history as x join import_batches as sb "
            "on sb.batch_id = x.superseded_by and sb.status = 'active' where not x.reinstated) "
            f"as s on {_same(pk, 's', 'h')} "
            "where h.superseded_by = $b and h.reinstated "
            f"and not exists (select 1 from {table} as t where {_same(pk, 't', 'h')})", b,
        ).fetchall()  # fmt: skip
        for writer, writer_status, superseder in missing:
            if superseder is not None:
                later.add(superseder)
            elif writer_status == "rolled_back":
                rolled.add(writer)
            else:
                unexplained += 1
    if not (later or rolled or unexplained):
        return
    zh = [f"批次{batch_id}（{file_name}）撤销后，相同项目与期间的数据又有改动"]
    en = [f"the same projects and periods as batch {batch_id} ({file_name}) changed after its "
          "rollback"]  # fmt: skip
    if later:
        ids = sorted(later)
        zh.append(f"后来的批次{_ids(ids, '、')}改动了这些数据：请先撤销批次{_ids(ids, '、')}")
        en.append(f"the later batch(es) {_ids(ids, ', ')} changed them: roll those back first")
    if rolled:
        ids = sorted(rolled)
        zh.append(f"撤销时恢复的数据属于批次{_ids(ids, '、')}，它们随后也被撤销：请先恢复批次"
                  f"{_ids(ids, '、')}")  # fmt: skip
        en.append(
            f"the rows its rollback put back belong to batch(es) {_ids(ids, ', ')}, "
            f"rolled back since: restore those first"
        )
    if not (later or rolled):
        zh.append(f"有{unexplained}行与撤销时不同")
        en.append(f"{unexplained} rows differ from what the rollback left")
    raise RestoreRefused("；".join(zh), "; ".join(en))


def _later_batches(conn: duckdb.DuckDBPyConnection, batch_id: int) -> list[int]:
    """Active batches that superseded rows written by this batch (a copy marked reinstated
    belongs to a rolled-back batch, whose rows are gone from the tables)."""
    union = " union ".join(
        f"select superseded_by from {t}_history where batch_id = $b and not reinstated"
        for t in TABLES
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


__all__ = ["RestoreRefused", "RestoreResult", "RollbackRefused", "RollbackResult",
           "batch_changes", "list_batches", "restore_batch", "rollback_batch"]  # fmt: skip
