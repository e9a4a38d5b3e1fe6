"""What an import did: per file its batch, kinds, row counts, what it replaced, the columns
it ignored and the notes on what was tolerated; as bilingual lines or a DataFrame. Rows are
counted as importer/counts.py defines them: per kind of record, the rows written to its
table (the same numbers as the preview, the batch record, the rollback and the restore)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from perfbudget.importer.counts import counts_text, kind_name


@dataclass(frozen=True)
class SheetSummary:
    sheet: str | None  # None for a CSV
    kind: str  # the kind of record (importer/counts.RECORD_KINDS)
    header_row: int  # 1-based
    rows: int  # rows of this kind written from this sheet
    layout: str = ""  # template:<kind>, selfeval_table or monitoring_table


@dataclass
class FileSummary:
    file_name: str
    sha256: str
    batch_id: int | None
    layout: str
    table_kinds: list[str]  # the template kinds of the file's tables
    row_counts: dict[str, int]  # kind of record -> rows written (importer/counts.py)
    replaced_count: int = 0  # rows superseded (moved to the history), all kinds
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sheets: list[SheetSummary] = field(default_factory=list)
    replaced_counts: dict[str, int] = field(default_factory=dict)  # replaced_count per kind

    @property
    def row_count(self) -> int:
        return sum(self.row_counts.values())


@dataclass
class ImportResult:
    files: list[FileSummary]

    @property
    def row_count(self) -> int:
        return sum(f.row_count for f in self.files)

    def summary_lines(self) -> list[str]:
        lines = []
        for f in self.files:
            counts_zh = counts_text(f.row_counts, "zh", total=True)
            counts_en = counts_text(f.row_counts, "en", total=True)
            replaced_zh = replaced_en = ""
            if f.replaced_counts:
                replaced_zh = f"（{counts_text(f.replaced_counts, 'zh')}）"
                replaced_en = f" ({counts_text(f.replaced_counts, 'en')})"
            lines.append(
                f"「{f.file_name}」（批次{f.batch_id}）：导入{counts_zh}；替换原有{f.replaced_count}行"
                f"{replaced_zh} | '{f.file_name}' (batch {f.batch_id}): imported {counts_en}; "
                f"{f.replaced_count} earlier rows replaced{replaced_en}"
            )
            if f.ignored_columns:
                cols = "、".join(f.ignored_columns)
                lines.append(
                    f"  未识别的列已忽略：{cols} | unknown columns ignored: "
                    f"{', '.join(f.ignored_columns)}"
                )
            lines.extend(f"  {note}" for note in f.notes)
        return lines

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for f in self.files:
            for s in f.sheets:
                rows.append(
                    {
                        "file_name": f.file_name,
                        "sheet": s.sheet,
                        "kind": s.kind,
                        "kind_zh": kind_name(s.kind),
                        "header_row": s.header_row,
                        "rows": s.rows,
                        "batch_id": f.batch_id,
                        "replaced_count": f.replaced_count,
                        "ignored_columns": ", ".join(f.ignored_columns),
                    }
                )
        columns = ["file_name", "sheet", "kind", "kind_zh", "header_row", "rows", "batch_id",
                   "replaced_count", "ignored_columns"]  # fmt: skip
        return pd.DataFrame(rows, columns=columns)
