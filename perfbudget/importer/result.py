"""What an import did: per file its batch, kinds, row counts, what it replaced, the columns
it ignored and the notes on what was tolerated; as bilingual lines or a DataFrame."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from perfbudget.importer.columns import KIND_NAMES_ZH, TABLE_KINDS


@dataclass(frozen=True)
class SheetSummary:
    sheet: str | None  # None for a CSV
    kind: str
    header_row: int  # 1-based
    rows: int  # data rows imported from this sheet
    layout: str = ""  # template:<kind>, selfeval_table or monitoring_table


@dataclass
class FileSummary:
    file_name: str
    sha256: str
    batch_id: int | None
    layout: str
    table_kinds: list[str]
    row_counts: dict[str, int]
    replaced_count: int = 0
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sheets: list[SheetSummary] = field(default_factory=list)

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
            counts_zh = "、".join(
                f"{KIND_NAMES_ZH[k]}{f.row_counts[k]}行" for k in TABLE_KINDS if k in f.row_counts
            )
            counts_en = ", ".join(
                f"{k} {f.row_counts[k]} rows" for k in TABLE_KINDS if k in f.row_counts
            )
            lines.append(
                f"「{f.file_name}」（批次{f.batch_id}）：导入{counts_zh}；替换原有{f.replaced_count}行"
                f" | '{f.file_name}' (batch {f.batch_id}): imported {counts_en}; "
                f"{f.replaced_count} earlier rows replaced"
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
                        "kind_zh": KIND_NAMES_ZH[s.kind],
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
