"""Helpers for the importer tests: small files written in test code, row counts of every
table the importer touches, and a check that an issue points at the right cell."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import openpyxl

from perfbudget import db
from perfbudget.importer import ImportIssue, ImportRejected, import_files

TABLES = (
    "import_batches", "districts", "departments", "units",
    "projects", "spending", "indicators", "indicator_actuals", "costs", "cost_standards",
    "rectifications", "projects_history", "spending_history", "indicators_history",
    "indicator_actuals_history", "costs_history", "cost_standards_history",
    "rectifications_history", "budget_requests", "budget_requests_history",
)  # fmt: skip

PROJECT_HEADER = ["年度", "项目编码", "项目名称", "主管部门", "调整后预算数"]


def new_db():
    return db.connect()


def xlsx_bytes(
    *sheets: tuple[str, Iterable[Iterable[object]]],
    number_formats: dict[tuple[str, str], str] | None = None,
) -> bytes:
    """A workbook with the given sheets (name, rows). number_formats maps (sheet, "C3") to an
    Excel number format, e.g. "0%"."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets:
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(list(row))
    for (sheet, ref), fmt in (number_formats or {}).items():
        wb[sheet][ref].number_format = fmt
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def csv_bytes(rows: Iterable[Iterable[object]], encoding: str = "utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode(encoding)


def counts(conn) -> dict[str, int]:
    return {t: conn.execute(f"select count(*) from {t}").fetchall()[0][0] for t in TABLES}


def seed_projects(conn, rows: list[list[object]], header: list[str] | None = None) -> None:
    """Import a projects CSV (year, code, name, department, adjusted budget by default)."""
    import_files(conn, [("seed_projects.csv", csv_bytes([header or PROJECT_HEADER, *rows]))])


def rejected(conn, files) -> ImportRejected:
    """Import files that must be refused; check that nothing was written."""
    before = counts(conn)
    try:
        import_files(conn, files)
    except ImportRejected as exc:
        assert counts(conn) == before, "a refused import wrote something"
        return exc
    raise AssertionError("the import was not refused")


def find_issue(
    exc: ImportRejected,
    *,
    file: str,
    sheet: str | None,
    row: int | None,
    column: str | None,
    zh: str,
    en: str,
) -> ImportIssue:
    """The issue at exactly this place whose messages contain zh and en; its text() names the
    file, sheet, row and column in both languages."""
    for issue in exc.issues:
        if (issue.file, issue.sheet, issue.row, issue.column) == (file, sheet, row, column) and (
            zh in issue.message_zh and en in issue.message_en
        ):
            text = issue.text()
            assert f"文件「{file}」" in text and f"file '{file}'" in text
            if sheet is not None:
                assert f"工作表「{sheet}」" in text and f"sheet '{sheet}'" in text
            if row is not None:
                assert f"第{row}行" in text and f"row {row}" in text
            if column is not None:
                assert f"列「{column}」" in text and f"column '{column}'" in text
            assert text in str(exc)
            return issue
    listing = "\n".join(i.text() for i in exc.issues)
    raise AssertionError(f"no issue at {file}/{sheet}/{row}/{column} with {zh!r}; got:\n{listing}")


def scalar(conn, sql: str, params: dict | None = None):
    return conn.execute(sql, params or {}).fetchall()[0][0]
