"""Importer of the canonical templates (docs/figures.md#canonical-import-templates).

    from perfbudget.importer import import_files, ImportRejected
    result = import_files(conn, [("execution.xlsx", data)], user="alice")
    result.summary_lines()

Modules: readers (bytes → sheets of text cells), cells (one cell → a typed value), columns
(the templates), tables (header, kind, data rows), kinds (typed rows → checked records),
load (one batch per file, history, bulk insert), api (import_files), templates (the
downloadable template workbook); forms (the published self-evaluation and monitoring
tables), layouts (which layout a sheet is in), preview (preview_files: parse without
writing), batches (batch_changes, rollback_batch, restore_batch), counts (what a batch's
rows are, per kind of record, and what each kind is called)."""

from perfbudget.importer.api import import_files
from perfbudget.importer.batches import (
    RestoreRefused,
    RestoreResult,
    RollbackRefused,
    RollbackResult,
    batch_changes,
    list_batches,
    restore_batch,
    rollback_batch,
)
from perfbudget.importer.columns import TABLE_KINDS
from perfbudget.importer.counts import RECORD_KINDS, TABLE_RECORDS, counts_text, kind_name
from perfbudget.importer.errors import ImportIssue, ImportRejected
from perfbudget.importer.layouts import LAYOUT_NAMES_ZH, LAYOUTS
from perfbudget.importer.preview import Preview, SheetPreview, preview_files
from perfbudget.importer.result import FileSummary, ImportResult, SheetSummary
from perfbudget.importer.templates import template_csv_bytes, template_workbook_bytes

__all__ = [
    "LAYOUTS",
    "LAYOUT_NAMES_ZH",
    "RECORD_KINDS",
    "TABLE_KINDS",
    "TABLE_RECORDS",
    "FileSummary",
    "ImportIssue",
    "ImportRejected",
    "ImportResult",
    "Preview",
    "RestoreRefused",
    "RestoreResult",
    "RollbackRefused",
    "RollbackResult",
    "SheetPreview",
    "SheetSummary",
    "batch_changes",
    "counts_text",
    "import_files",
    "kind_name",
    "list_batches",
    "preview_files",
    "restore_batch",
    "rollback_batch",
    "template_csv_bytes",
    "template_workbook_bytes",
]
