"""preview_files: what an import would do, without writing anything — per file and sheet
the layout recognised (with its confidence, or the candidates when it is ambiguous), the
rows that would be imported (a few per kind of record, each with its sheet and row) and
every issue. The upload page shows this, asks the user to pick a layout where a sheet is
ambiguous, and passes the choice to import_files(..., layout=...)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from perfbudget.importer.api import (
    FileInput,
    LayoutChoice,
    ParsedFile,
    Progress,
    _check_layout_choice,
    _check_references,
    _chosen,
    _inputs,
    _parse_all,
    settle_forms,
)
from perfbudget.importer.errors import ImportIssue
from perfbudget.importer.layouts import LAYOUT_NAMES_ZH
from perfbudget.importer.limits import limits_from_db

PREVIEW_ROWS = 20

# record kinds shown in a preview, with their columns (the key's parts first)
RECORD_COLUMNS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "projects": (("year", "project_code"),
                 ("project_name", "department_code", "unit_code", "initial_budget_yuan",
                  "adjusted_budget_yuan")),
    "execution": (("year", "month", "project_code", "fund_source", "economic_class"),
                  ("amount", "forecast_yuan")),
    "indicators": (("year", "project_code", "level1", "level2", "indicator_name"),
                   ("operator", "target_value", "target_text", "unit", "points")),
    "indicator_actuals": (("year", "project_code", "level1", "level2", "indicator_name", "month"),
                          ("actual_value", "actual_text", "claimed_score", "reason",
                           "forecast_text", "deviation_category", "completion_likelihood")),
    "costs": (("year", "project_code", "cost_item"),
              ("amount_yuan", "output_quantity", "output_unit")),
    "cost_standards": (("year", "service_class", "output_unit"), ("standard_unit_cost_yuan",)),
    "rectifications": (("project_code", "issue", "feedback_date"), ("done_date",)),
    "self_evaluations": (("year", "project_code"),
                         ("execution_points", "claimed_execution_score", "claimed_total_score",
                          "claimed_grade", "goal_expected", "goal_actual")),
    "budget_requests": (("year", "project_code"),
                        ("project_name", "department_code", "service_class",
                         "requested_amount_yuan", "planned_output_quantity", "output_unit",
                         "is_new")),
}  # fmt: skip


@dataclass
class SheetPreview:
    sheet: str | None  # None for a CSV
    layout: str  # the layout that would be used: template:<kind>, selfeval_table, …, unknown
    confidence: float  # 0–1, of the detected layout
    ambiguous: bool  # True: the import refuses this sheet until a layout is chosen
    candidates: list[str]  # layouts to offer when ambiguous, best first
    detected: str  # what detection alone says (differs from layout when one was chosen)
    chosen: bool  # the caller named the layout

    @property
    def layout_zh(self) -> str:
        return LAYOUT_NAMES_ZH.get(self.layout, self.layout)


@dataclass
class Preview:
    file_name: str
    sheets: list[SheetPreview]
    frames: dict[str, pd.DataFrame]  # kind -> the first rows that would be imported
    # kind -> the rows that would be written (importer/counts.py: the numbers the import's
    # summary, its batch and its rollback give). The rows they would replace are known only
    # once written: the preview does not count them.
    row_counts: dict[str, int]
    issues: list[ImportIssue]
    notes: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    goals: dict[str | None, tuple[str | None, str | None]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Would import as it is (no issue, nothing ambiguous)."""
        return not self.issues

    @property
    def ambiguous(self) -> bool:
        return any(s.ambiguous for s in self.sheets)

    @property
    def layout(self) -> str:
        return ",".join(dict.fromkeys(s.layout for s in self.sheets if s.layout != "unknown"))

    def sheets_frame(self) -> pd.DataFrame:
        columns = ["file_name", "sheet", "layout", "layout_zh", "confidence", "ambiguous",
                   "candidates", "detected", "chosen"]  # fmt: skip
        return pd.DataFrame([{
            "file_name": self.file_name, "sheet": s.sheet, "layout": s.layout,
            "layout_zh": s.layout_zh, "confidence": s.confidence, "ambiguous": s.ambiguous,
            "candidates": ", ".join(s.candidates), "detected": s.detected, "chosen": s.chosen,
        } for s in self.sheets], columns=columns)  # fmt: skip

    def issues_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            [{"file": i.file, "sheet": i.sheet, "row": i.row, "column": i.column,
              "message_zh": i.message_zh, "message_en": i.message_en} for i in self.issues],
            columns=["file", "sheet", "row", "column", "message_zh", "message_en"],
        )  # fmt: skip


def preview_files(
    files: Sequence[FileInput],
    conn: duckdb.DuckDBPyConnection | None = None,
    layout: LayoutChoice = None,
    progress: Progress | None = None,
    rows: int = PREVIEW_ROWS,
) -> list[Preview]:
    """Parse the files as import_files would, write nothing, and say what would happen.
    With a connection, forms are matched to known projects and project codes are checked
    against the database (read only); without one, the file is checked on its own."""

    def report(fraction: float, label: str) -> None:
        if progress is not None:
            progress(min(max(fraction, 0.0), 1.0), label)

    _check_layout_choice(layout)
    limits = limits_from_db(conn)
    inputs = _inputs(files, limits)
    parsed = _parse_all(inputs, layout, report, 0.9, limits)
    settle_forms(conn, parsed)
    if conn is not None:
        _check_references(conn, parsed)
    report(1.0, "预览完成 | preview ready")
    return [_preview(p, layout, rows) for p in parsed]


def _preview(p: ParsedFile, layout: LayoutChoice, rows: int) -> Preview:
    sheets = []
    for sheet, detection, used in p.detections:
        forced = _chosen(layout, p.file_name, sheet)
        sheets.append(SheetPreview(
            sheet=sheet, layout=used or forced or detection.layout,
            confidence=detection.confidence,
            ambiguous=forced is None and detection.ambiguous,
            candidates=list(detection.candidates), detected=detection.layout,
            chosen=forced is not None,
        ))  # fmt: skip
    frames = {}
    for kind, (key_cols, value_cols) in RECORD_COLUMNS.items():
        store = p.data.records(kind)
        if not store:
            continue
        records = []
        for key, (record, ref) in list(store.items())[:rows]:
            row = dict(zip(key_cols, key, strict=True))
            row.update({c: record.get(c) for c in value_cols})
            row["sheet"], row["row"] = ref.sheet, ref.row
            records.append(row)
        frames[kind] = pd.DataFrame(records, columns=[*key_cols, *value_cols, "sheet", "row"])
    return Preview(
        file_name=p.file_name, sheets=sheets, frames=frames, row_counts=p.data.record_counts(),
        issues=p.log.all_issues(), notes=list(p.notes), ignored_columns=list(p.ignored),
        goals={f.sheet: (f.goal_expected, f.goal_actual) for f in p.forms},
    )  # fmt: skip
