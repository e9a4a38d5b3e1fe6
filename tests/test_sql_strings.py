"""No SQL built from strings with values in them (issue 13 item 6): every value reaches DuckDB
bound ($name or ?), never formatted in.

The scan reads every Python file of the package (and the pages) and finds each call of
execute / executemany / sql / query whose SQL is built: an f-string with a placeholder, a %
format, a + concatenation with a part that is not a literal, str.format or str.join — passed
directly or through a variable assigned so in the same function. A function that builds SQL
from identifiers only (table names of a fixed registry, column lists of a schema) is listed in
ALLOWED with why its parts are never values; anything else fails. An entry no longer needed
fails too (when the function is still there), so the list stays as short as the code
allows."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQL_METHODS = {"execute", "executemany", "sql", "query"}

TABLES = "table names from the fixed registry importer.batches.TABLES / REFERENCE_TABLES"
ALLOWED: dict[tuple[str, str], str] = {
    ("perfbudget/benchmark.py", "run"): "COPY … TO a file: the table names are the benchmark's "
    "own list and the path its temporary folder (COPY cannot bind a file name)",
    ("perfbudget/db.py", "_drop_primary_keys"): "table names from db.UNINDEXED_TABLES",
    ("perfbudget/demo.py", "build_demo"): "table names of the demo's own fixed list",
    ("perfbudget/importer/batches.py", "rollback_batch"): f"{TABLES}; their key columns "
    "(REPLACE_KEYS) and the history-only column list are constants",
    ("perfbudget/importer/batches.py", "restore_batch"): f"{TABLES}; key columns from REPLACE_KEYS",
    ("perfbudget/importer/batches.py", "_archive_orphans"): f"{TABLES}; the orphan conditions "
    "are literal SQL of the module",
    ("perfbudget/importer/batches.py", "_has_archive"): f"{TABLES}, joined by union all",
    ("perfbudget/importer/batches.py", "_check_restorable"): f"{TABLES}; grain columns from "
    "REPLACE_KEYS",
    ("perfbudget/importer/batches.py", "_later_batches"): f"{TABLES}, joined by union all",
    ("perfbudget/importer/batches.py", "batch_changes"): f"{TABLES}; column lists from the "
    "schema (information about the table, not from a file)",
    ("perfbudget/importer/load.py", "_replace"): "the target table and its key columns from "
    "load.REPLACE_KEYS; the staging tables' names are module constants",
    ("perfbudget/importer/load.py", "check_unique"): "a table of REPLACE_KEYS, its key columns, "
    "and a SELECT of the callers' own (literal SQL, the values bound)",
    ("perfbudget/results.py", "ensure_tables"): "result table names made from query names "
    "(results.table_name: the registry of stored queries)",
    ("perfbudget/results.py", "_create"): "a result table name and the stored query's SQL file",
    ("perfbudget/results.py", "_store"): "a result table name and the stored query's SQL file",
    ("perfbudget/results.py", "invalidate"): "a where clause chosen from literal SQL, the "
    "period values bound",
    ("perfbudget/results.py", "_drop_gone"): "a result table name; the periods bound",
    ("perfbudget/results.py", "batch_start"): "source tables and conditions from the module's "
    "fixed map of tables, the batch bound",
    ("perfbudget/results.py", "_read_rows"): "a result table name; year, month, scope bound",
    ("perfbudget/results.py", "_memoise"): "temporary tables and macros named after the "
    "registry results.MEMOISED; the period formatted in is int() of the year and month the "
    "caller computes (CREATE TABLE AS / CREATE MACRO bodies take no bound parameters)",
    ("perfbudget/results.py", "_forget_memo"): "the names of the registry results.MEMOISED",
    ("perfbudget/results.py", "read_window"): "a result table name, the where clause of "
    "_narrowed_rows (column names checked against the stored table's own, values bound) and "
    "the sort column (checked the same way); limit and offset bound",
    ("perfbudget/results.py", "read_distinct"): "column names checked against the stored "
    "table's own (results._narrowed_rows); values bound",
    ("perfbudget/results.py", "flag_since"): "result table names and rule ids from the rule "
    "registry; year, month and scope bound",
}


def _built(node: ast.expr) -> bool:
    """Whether an expression builds a string from parts that are not all literals."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return isinstance(node.left, ast.Constant) and isinstance(node.left.value, str)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        parts = [node.left, node.right]
        return any(_built(p) or not isinstance(p, ast.Constant) for p in parts)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        return node.func.attr in {"format", "join"} and isinstance(node.func.value, ast.Constant)
    return False


class _Scan(ast.NodeVisitor):
    def __init__(self) -> None:
        self.scope: list[str] = []
        self.assigned: list[dict[str, bool]] = [{}]
        self.hits: list[tuple[str, int, str]] = []

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.scope.append(node.name)
        built: dict[str, bool] = {}
        for inner in ast.walk(node):
            if isinstance(inner, ast.Assign):
                for target in inner.targets:
                    if isinstance(target, ast.Name):
                        built[target.id] = built.get(target.id, False) or _built(inner.value)
            elif isinstance(inner, ast.AugAssign) and isinstance(inner.target, ast.Name):
                built[inner.target.id] = True
        self.assigned.append(built)
        self.generic_visit(node)
        self.assigned.pop()
        self.scope.pop()

    visit_FunctionDef = _function
    visit_AsyncFunctionDef = _function

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in SQL_METHODS and node.args:
            sql = node.args[0]
            by_name = isinstance(sql, ast.Name) and self.assigned[-1].get(sql.id, False)
            if _built(sql) or by_name:
                where = self.scope[0] if self.scope else "<module>"
                self.hits.append((where, node.lineno, ast.unparse(sql)[:80]))
        self.generic_visit(node)


def scan(source: str) -> list[tuple[str, int, str]]:
    visitor = _Scan()
    visitor.visit(ast.parse(source))
    return visitor.hits


def _files() -> list[Path]:
    return sorted([*ROOT.glob("perfbudget/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"])


def test_the_scan_finds_sql_built_from_values():
    source = """
def f(conn, code, table):
    conn.execute(f"select * from projects where project_code = '{code}'")
    conn.execute("select * from projects where project_code = '%s'" % code)
    conn.execute("select * from projects where project_code = '" + code + "'")
    conn.sql("select * from {}".format(table))
    sql = "delete from " + table
    conn.execute(sql)
    conn.execute("select * from projects where project_code = ?", [code])
    conn.execute("select 1 " "from projects")
    conn.sql(QUERY, params={"code": code})
"""
    hits = scan(source)
    assert [line for _, line, _ in hits] == [3, 4, 5, 6, 8]
    assert {where for where, _, _ in hits} == {"f"}


def test_no_sql_in_the_package_is_built_from_values():
    found: dict[tuple[str, str], list[str]] = {}
    for path in _files():
        rel = path.relative_to(ROOT).as_posix()
        for where, line, text in scan(path.read_text(encoding="utf-8")):
            found.setdefault((rel, where), []).append(f"line {line}: {text}")
    assert len(_files()) > 50
    unexplained = {key: lines for key, lines in found.items() if key not in ALLOWED}
    assert unexplained == {}, (
        "SQL built from strings: bind the values ($name or ?) instead, or, when every part "
        "is an identifier of a fixed registry, list the function in ALLOWED with why"
    )
    # an entry whose function still exists but builds no SQL any more is stale (a function
    # not there at all is left alone: renamed or removed, or in work not yet merged)
    defined = {
        (path.relative_to(ROOT).as_posix(), node.name)
        for path in _files()
        for node in ast.parse(path.read_text(encoding="utf-8")).body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    stale = sorted((set(ALLOWED) & defined) - set(found))
    assert stale == [], "ALLOWED lists functions that no longer build SQL: remove them"
    assert all(reason.strip() for reason in ALLOWED.values())
