"""How big a file the importer takes, checked before a byte is parsed (issue 9, item 2).

A workbook is a zip of XML: its size on disk says little about what reading it costs. A
1.8 KB .xlsx that declares the range A1:XFD1048576 makes the native readers ask for 550 GB;
a 3 MB zip can hold 3 GB of XML. So the importer checks, in this order and before parsing:
the file's size, then (for .xlsx) the zip directory — the uncompressed size of the members
and their compression ratio — and each sheet's declared range; while reading, the rows,
columns and cell length; and it parses in a child process with a memory and a time limit
(importer/sandbox.py), so that no file can take the dashboard down.

The file size, row and time limits are thresholds a bureau may change on 规则设置 (rule id
`import`); the others are fixed here because they protect the machine, not a policy."""

from __future__ import annotations

from dataclasses import dataclass, replace

import duckdb

MB = 1_000_000


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 200 * MB
    # the sum of the uncompressed members of an .xlsx, and their ratio to the compressed sizes
    max_uncompressed_bytes: int = 500 * MB
    max_compression_ratio: float = 200.0
    # per sheet, header and title rows included; the parse in the parent costs ~3–4 KB a row
    # today (measured: 100,000 project rows of every template column peak at 478 MiB), so
    # 250,000 rows keep an import under ~1 GB
    max_rows: int = 250_000
    max_columns: int = 500
    # rows × columns of one sheet: what the parse in the parent costs grows with the cells
    # (~200 bytes a cell). Measured: a 230,000 × 17 CSV (3.9 M cells) peaked at 919 MiB in
    # the CLI and at 1.09 GiB in the dashboard (upload, preview and import of it); at the
    # limit, 205,000 × 17 (3.49 M cells), the dashboard peaked at 1.01 GiB
    max_cells: int = 3_500_000
    max_cell_chars: int = 32_767  # Excel's own limit for a cell
    parse_seconds: float = 120.0
    # what the reading child may allocate on top of what it starts with
    memory_bytes: int = 1_024 * MB

    def with_settings(self, values: dict[str, float]) -> Limits:
        """These limits with the bureau's thresholds (rule id `import`) applied."""
        changes: dict[str, object] = {}
        if "max_file_mb" in values:
            changes["max_file_bytes"] = int(values["max_file_mb"] * MB)
        if "max_rows" in values:
            changes["max_rows"] = int(values["max_rows"])
        if "parse_seconds" in values:
            changes["parse_seconds"] = float(values["parse_seconds"])
        return replace(self, **changes)  # type: ignore[arg-type]


DEFAULT_LIMITS = Limits()


def limits_from_db(conn: duckdb.DuckDBPyConnection | None) -> Limits:
    """The limits in force for this database (its `import` thresholds), else the defaults."""
    if conn is None:
        return DEFAULT_LIMITS
    # not at the top: the reading server (importer/sandbox.py) imports this module, and
    # perfbudget.db would bring pandas into it and every child it forks
    from perfbudget.db import run_query

    try:
        rows = run_query(conn, "rule_thresholds")
    except duckdb.Error:
        return DEFAULT_LIMITS
    values = {r.name: float(r.value) for r in rows.itertuples() if r.rule_id == "import"}
    return DEFAULT_LIMITS.with_settings(values)


def size_text(n_bytes: float) -> str:
    """1234567 → '1.2 MB' (decimal megabytes, as file managers and the upload box show)."""
    if n_bytes >= 1_000 * MB:
        return f"{n_bytes / (1_000 * MB):.1f} GB"
    if n_bytes >= MB:
        return f"{n_bytes / MB:.1f} MB"
    return f"{n_bytes / 1000:.1f} KB"
