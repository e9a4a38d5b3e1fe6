"""import_files: read and check every file of the call, refuse them all with every issue
found, or write them all in one transaction (one batch per file)."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from perfbudget.db import transaction
from perfbudget.importer import load
from perfbudget.importer.columns import TABLE_KINDS
from perfbudget.importer.errors import ImportIssue, ImportRejected, IssueLog
from perfbudget.importer.kinds import BUILDERS, FileData, build_indicators
from perfbudget.importer.readers import CSV, Sheet, read_workbook
from perfbudget.importer.result import FileSummary, ImportResult, SheetSummary
from perfbudget.importer.tables import locate, seen_notes
from perfbudget.importer.templates import GUIDE_TITLE

Progress = Callable[[float, str], None]
FileInput = tuple[str, bytes] | str | Path
LAYOUT = "template"


@dataclass
class ParsedFile:
    file_name: str
    sha256: str
    log: IssueLog
    data: FileData
    sheets: list[SheetSummary] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        return [k for k in TABLE_KINDS if self.data.row_counts.get(k)]


def _inputs(files: Sequence[FileInput]) -> list[tuple[str, bytes]]:
    out = []
    for item in files:
        if isinstance(item, (str, Path)):
            path = Path(item)
            out.append((path.name, path.read_bytes()))
        else:
            name, content = item
            out.append((str(name), bytes(content)))
    return out


def parse_file(file_name: str, content: bytes) -> ParsedFile:
    """Read and check one file on its own (no database)."""
    log = IssueLog(file_name)
    parsed = ParsedFile(file_name, hashlib.sha256(content).hexdigest(), log, FileData(file_name))
    book = read_workbook(file_name, content, log)
    if book is None:
        return parsed
    parsed.notes.extend(book.notes)
    if book.format == CSV and book.encoding not in ("utf-8", "utf-8-sig"):
        name = "GBK/GB18030" if book.encoding == "gb18030" else book.encoding.upper()
        parsed.notes.append(f"CSV 按 {name} 编码读取 | CSV read as {name}")
    tables, unrecognised = [], []
    for sheet in book.sheets:
        if not any(v is not None and v.strip() for col in sheet.columns for v in col):
            continue
        table = locate(sheet, log, report_unrecognised=False)
        if table is None:
            unrecognised.append(sheet)
        else:
            tables.append(table)
    if not tables:
        if unrecognised:
            for sheet in unrecognised:
                locate(sheet, log, report_unrecognised=True)
        else:
            log.add(None, None, None, "文件为空（没有任何数据）", "the file is empty (no data)")
        return parsed
    for sheet in unrecognised:
        if _is_template_guide(sheet):
            continue
        parsed.notes.append(
            f"工作表「{sheet.name}」未识别为模板表格，未导入 | sheet '{sheet.name}' is not a "
            "template table and was not imported"
        )
    seen: Counter = Counter()
    data = parsed.data
    for table in tables:
        before = data.row_counts[table.kind]
        if table.broken:
            continue
        if table.kind == "indicators":
            build_indicators(table, log, seen, data, content if book.format != CSV else None)
        else:
            BUILDERS[table.kind](table, log, seen, data)
        rows = data.row_counts[table.kind] - before
        if rows or table.data_rows:
            parsed.sheets.append(SheetSummary(table.sheet_name, table.kind,
                                              table.header_index + 1, rows))  # fmt: skip
        parsed.notes.extend(_sheet_note(table.sheet_name, note) for note in table.notes)
        for column in table.ignored:
            if column not in parsed.ignored:
                parsed.ignored.append(column)
    parsed.notes.extend(seen_notes(seen))
    for (note_zh, note_en), n in data.note_counts.items():
        parsed.notes.append(f"{note_zh}（{n}行） | {note_en} ({n} rows)")
    for (what_zh, what_en), n in data.duplicates.items():
        parsed.notes.append(f"{n}行与前面某行完全相同（{what_zh}），只导入一次 | {n} rows "
                            f"identical to an earlier row (same {what_en}) imported once")  # fmt: skip
    if not log and not any(data.row_counts.values()):
        log.add(None, None, None, "文件没有数据行（只有表头）", "the file has no data rows (only a header)")
    return parsed


def _sheet_note(sheet: str | None, note: str) -> str:
    """Prefix a bilingual note with its sheet in both languages."""
    if sheet is None:
        return note
    zh, _, en = note.partition(" | ")
    return f"工作表「{sheet}」：{zh} | sheet '{sheet}': {en}"


def _is_template_guide(sheet: Sheet) -> bool:
    first = next((v for col in sheet.columns[:1] for v in col if v is not None), None)
    return first is not None and first.strip() == GUIDE_TITLE


def _check_references(conn: duckdb.DuckDBPyConnection, parsed: list[ParsedFile]) -> None:
    """Every project a file refers to exists in a file of this call or in the database,
    in the same year; an actual-only indicator row refers to a known indicator."""
    in_files = {key for p in parsed for key in p.data.projects}
    wanted = {code for p in parsed for (_y, code) in p.data.project_refs}
    known = set(in_files)
    if wanted:
        probe = pa.table({"project_code": pa.array(sorted(wanted), pa.string())})
        conn.register("_import_ref_probe", probe)
        try:
            known |= set(conn.execute(
                "select year, project_code from projects semi join _import_ref_probe "
                "using (project_code)"
            ).fetchall())  # fmt: skip
        finally:
            conn.unregister("_import_ref_probe")
    known_codes = {code for (_y, code) in known}
    for p in parsed:
        for (year, code), (ref, count) in p.data.project_refs.items():
            ok = (year, code) in known if year is not None else code in known_codes
            if ok:
                continue
            year_zh = f"{year}年度" if year is not None else ""
            year_en = f" for {year}" if year is not None else ""
            more_zh = f"（共{count}行）" if count > 1 else ""
            more_en = f" ({count} rows)" if count > 1 else ""
            p.log.add(
                ref.sheet,
                ref.row,
                ref.column,
                f"项目编码「{code}」在本次导入的文件和数据库中均无{year_zh}项目{more_zh}",
                f"project code '{code}' is neither in the files imported nor in the database"
                f"{year_en}{more_en}",
            )
    defined = {key for p in parsed for key in p.data.indicators}
    pending = {key for p in parsed for key in p.data.actual_only if key not in defined}
    if pending:
        probe = pa.table({
            "year": pa.array([k[0] for k in pending], pa.int32()),
            "project_code": pa.array([k[1] for k in pending], pa.string()),
        })  # fmt: skip
        conn.register("_import_ind_probe", probe)
        try:
            defined |= set(conn.execute(
                "select year, project_code, level1, level2, indicator_name from indicators "
                "semi join _import_ind_probe using (year, project_code)"
            ).fetchall())  # fmt: skip
        finally:
            conn.unregister("_import_ind_probe")
    for p in parsed:
        for key, ref in p.data.actual_only.items():
            if key not in defined:
                p.log.add(
                    ref.sheet,
                    ref.row,
                    ref.column,
                    f"指标「{'/'.join(map(str, key[2:]))}」未定义：请填写计算符号和年度指标值",
                    f"indicator '{'/'.join(map(str, key[2:]))}' is not defined: give its "
                    "operator and target",
                )


def _previous_batch(conn: duckdb.DuckDBPyConnection, sha256: str) -> int | None:
    row = conn.execute(
        "select max(batch_id) from import_batches where sha256 = $sha256 and status = 'active'",
        {"sha256": sha256},
    ).fetchall()
    return row[0][0] if row else None


def import_files(
    conn: duckdb.DuckDBPyConnection,
    files: Sequence[FileInput],
    user: str = "cli",
    progress: Progress | None = None,
) -> ImportResult:
    """Import canonical template files (.xlsx, .xls, .csv) given as (name, bytes) pairs or
    paths. All or nothing: raises ImportRejected with every issue found (nothing written),
    else writes one batch per file in a single transaction and returns what it did."""

    def report(fraction: float, label: str) -> None:
        if progress is not None:
            progress(min(max(fraction, 0.0), 1.0), label)

    inputs = _inputs(files)
    if not inputs:
        raise ImportRejected([ImportIssue("", None, None, None, "没有文件", "no files given")])
    parsed: list[ParsedFile] = []
    n = len(inputs)
    for i, (name, content) in enumerate(inputs):
        report(0.5 * i / n, f"读取并检查 {name} | reading and checking {name}")
        parsed.append(parse_file(name, content))
    report(0.5, "核对项目编码 | checking project codes")
    _check_references(conn, parsed)
    issues = [issue for p in parsed for issue in p.log.all_issues()]
    if issues:
        raise ImportRejected(issues)

    summaries: list[FileSummary] = []
    try:
        with transaction(conn):
            for i, p in enumerate(parsed):
                report(0.55 + 0.45 * i / n, f"写入 {p.file_name} | writing {p.file_name}")
                previous = _previous_batch(conn, p.sha256)
                if previous is not None:
                    p.notes.append(f"同一文件曾导入过（批次{previous}），本次替换之 | the same "
                                   f"file was imported before (batch {previous}); replaced")  # fmt: skip
                batch_id = load.next_batch_id(conn)
                replaced = load.write_file(conn, p.data, batch_id, p.notes)
                row_counts = {k: p.data.row_counts[k] for k in p.kinds}
                load.write_batch(
                    conn, batch_id=batch_id, file_name=p.file_name, sha256=p.sha256,
                    layout=LAYOUT, table_kinds=p.kinds, row_counts=row_counts,
                    replaced_count=replaced, user=user,
                    note="\n".join(p.notes) if p.notes else None,
                )  # fmt: skip
                summaries.append(FileSummary(
                    file_name=p.file_name, sha256=p.sha256, batch_id=batch_id, layout=LAYOUT,
                    table_kinds=p.kinds, row_counts=row_counts, replaced_count=replaced,
                    ignored_columns=list(p.ignored), notes=list(p.notes), sheets=p.sheets,
                ))  # fmt: skip
    except duckdb.Error as exc:
        # a constraint the checks above did not foresee: nothing was written
        raise ImportRejected([ImportIssue(
            ", ".join(p.file_name for p in parsed), None, None, None,
            f"写入数据库失败，未导入任何数据：{exc}",
            f"writing to the database failed; nothing was imported: {exc}",
        )]) from exc  # fmt: skip
    report(1.0, "导入完成 | import finished")
    return ImportResult(summaries)
