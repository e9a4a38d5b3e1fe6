"""Importer of the canonical templates (domain.md, "Canonical import templates").

    from perfbudget.importer import import_files, ImportRejected
    result = import_files(conn, [("execution.xlsx", data)], user="alice")
    result.summary_lines()

Modules: readers (bytes → sheets of text cells), cells (one cell → a typed value), columns
(the templates), tables (header, kind, data rows), kinds (typed rows → checked records),
load (one batch per file, history, bulk insert), api (import_files), templates (the
downloadable template workbook)."""

from perfbudget.importer.api import import_files
from perfbudget.importer.columns import TABLE_KINDS
from perfbudget.importer.errors import ImportIssue, ImportRejected
from perfbudget.importer.result import FileSummary, ImportResult, SheetSummary
from perfbudget.importer.templates import template_csv_bytes, template_workbook_bytes

__all__ = [
    "TABLE_KINDS",
    "FileSummary",
    "ImportIssue",
    "ImportRejected",
    "ImportResult",
    "SheetSummary",
    "import_files",
    "template_csv_bytes",
    "template_workbook_bytes",
]
