"""import_files: read and check every file of the call, refuse them all with every issue
found, or write them all in one transaction (one batch per file).

Each sheet's layout is detected (layouts.detect): a canonical template, the published
self-evaluation table, the monitoring table. A sheet that fits two layouts about equally
well is refused as ambiguous unless the caller names the layout (`layout=`)."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from perfbudget import audit, results, users
from perfbudget.db import transaction
from perfbudget.importer import load
from perfbudget.importer.columns import TABLE_KINDS
from perfbudget.importer.counts import RECORD_KINDS
from perfbudget.importer.errors import ImportIssue, ImportRejected, IssueLog
from perfbudget.importer.forms import FORM_LAYOUTS, MONITORING, Form, emit_form, parse_form
from perfbudget.importer.kinds import BUILDERS, FileData, build_indicators
from perfbudget.importer.layouts import (
    LAYOUT_NAMES_ZH,
    LAYOUTS,
    TEMPLATE_PREFIX,
    UNKNOWN,
    Detection,
    detect,
    template_kind,
)
from perfbudget.importer.limits import Limits, limits_from_db, size_text
from perfbudget.importer.readers import CSV, Sheet, read_workbook
from perfbudget.importer.result import FileSummary, ImportResult, SheetSummary
from perfbudget.importer.tables import check_table_cells, locate, seen_notes
from perfbudget.importer.templates import GUIDE_TITLE

Progress = Callable[[float, str], None]
FileInput = tuple[str, bytes] | str | Path
# The layout the caller chose: one for every sheet of every file, or per file name, or per
# (file name, sheet name); None = detect.
LayoutChoice = str | Mapping[str | tuple[str, str | None], str] | None


@dataclass
class ParsedFile:
    file_name: str
    sha256: str
    log: IssueLog
    data: FileData
    sheets: list[SheetSummary] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)
    # per non-empty sheet: (sheet name, what was detected, the layout used or None)
    detections: list[tuple[str | None, Detection, str | None]] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        return [k for k in TABLE_KINDS if self.data.rows_read.get(k)]

    @property
    def layout(self) -> str:
        """The layouts of the sheets imported, comma-separated (for the batch record)."""
        used = list(dict.fromkeys(chosen for _s, _d, chosen in self.detections if chosen))
        return ",".join(used) or UNKNOWN


def _inputs(files: Sequence[FileInput], limits: Limits | None = None) -> list[tuple[str, bytes]]:
    """(name, bytes) of every file; a path over the size limit is refused before it is read,
    so that a 10 GB file given on the command line costs nothing."""
    out = []
    too_large: list[ImportIssue] = []
    for item in files:
        if isinstance(item, (str, Path)):
            path = Path(item)
            size = path.stat().st_size
            if limits is not None and size > limits.max_file_bytes:
                too_large.append(ImportIssue(
                    path.name, None, None, None,
                    f"文件大小为{size_text(size)}，超过上限{size_text(limits.max_file_bytes)}"
                    "（可在「规则设置」中调整，或拆分后分别导入）",
                    f"the file is {size_text(size)}, over the limit of "
                    f"{size_text(limits.max_file_bytes)} (change it on the Settings page, or "
                    "split the file and import the parts)",
                ))  # fmt: skip
                continue
            out.append((path.name, path.read_bytes()))
        else:
            name, content = item
            out.append((str(name), bytes(content)))
    if too_large:
        raise ImportRejected(too_large)
    return out


def _chosen(layout: LayoutChoice, file_name: str, sheet: str | None) -> str | None:
    if layout is None or isinstance(layout, str):
        return layout
    return layout.get((file_name, sheet)) or layout.get(file_name)


def _check_layout_choice(layout: LayoutChoice) -> None:
    names = [layout] if isinstance(layout, str) else list(layout.values()) if layout else []
    bad = [n for n in names if n not in LAYOUTS]
    if bad:
        raise ImportRejected([ImportIssue(
            "", None, None, None,
            f"格式「{bad[0]}」无法识别（可选：{'、'.join(LAYOUTS)}）",
            f"layout '{bad[0]}' is not known (one of: {', '.join(LAYOUTS)})",
        )])  # fmt: skip


def parse_file(
    file_name: str,
    content: bytes,
    layout: LayoutChoice = None,
    progress: Progress | None = None,
    limits: Limits | None = None,
) -> ParsedFile:
    """Read and check one file on its own (no database). Forms (self-evaluation and
    monitoring tables) are read into parsed.forms; their records are added by settle_forms,
    which settles their project codes."""
    log = IssueLog(file_name)
    parsed = ParsedFile(file_name, hashlib.sha256(content).hexdigest(), log, FileData(file_name))
    book = read_workbook(file_name, content, log, limits)
    if book is None:
        return parsed
    parsed.notes.extend(book.notes)
    if book.format == CSV and book.encoding not in ("utf-8", "utf-8-sig"):
        name = "GBK/GB18030" if book.encoding == "gb18030" else str(book.encoding).upper()
        parsed.notes.append(f"CSV 按 {name} 编码读取 | CSV read as {name}")
    tables, unrecognised = [], []
    seen: Counter = Counter()
    sheets = [s for s in book.sheets
              if any(v is not None and v.strip() for col in s.columns for v in col)]  # fmt: skip
    for k, sheet in enumerate(sheets):
        if progress is not None:
            progress(k / max(len(sheets), 1), f"识别工作表「{sheet.name or file_name}」 | "
                     f"recognising sheet '{sheet.name or file_name}'")  # fmt: skip
        detection = detect(sheet)
        forced = _chosen(layout, file_name, sheet.name)
        chosen = forced or detection.layout
        entry = [sheet.name, detection, None]
        parsed.detections.append(entry)  # type: ignore[arg-type]
        if forced is None and detection.ambiguous:
            names_zh = "、".join(LAYOUT_NAMES_ZH[c] for c in detection.candidates)
            log.add(sheet.name, None, None,
                    f"无法确定表格格式（可能是{names_zh}）：请选择格式后重新导入",
                    f"the layout is ambiguous ({' or '.join(detection.candidates)}): choose "
                    "the layout and import again")  # fmt: skip
            continue
        if chosen in FORM_LAYOUTS:
            form = parse_form(sheet, chosen, log, seen, content if book.format != CSV else None)
            if form is None:
                unrecognised.append(sheet)
            else:
                parsed.forms.append(form)
                entry[2] = chosen
            continue
        table = locate(sheet, log, report_unrecognised=False, kind=template_kind(chosen or ""))
        if table is None:
            unrecognised.append(sheet)
        else:
            tables.append(table)
            entry[2] = f"{TEMPLATE_PREFIX}{table.kind}"
    parsed.detections = [tuple(e) for e in parsed.detections]  # type: ignore[misc]
    if not tables and not parsed.forms:
        if log:
            return parsed
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
    data = parsed.data
    for table in tables:
        before = data.rows_read[table.kind]
        if table.broken:
            continue
        check_table_cells(table, log)
        if table.kind == "indicators":
            build_indicators(table, log, seen, data, content if book.format != CSV else None)
        else:
            BUILDERS[table.kind](table, log, seen, data)
        rows = data.rows_read[table.kind] - before
        if rows or table.data_rows:
            parsed.sheets.append(SheetSummary(table.sheet_name, table.kind,
                                              table.header_index + 1, rows,
                                              f"{TEMPLATE_PREFIX}{table.kind}"))  # fmt: skip
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
    if not log and not any(data.rows_read.values()) and not parsed.forms:
        log.add(
            None,
            None,
            None,
            "文件没有数据行（只有表头）",
            "the file has no data rows (only a header)",
        )
    return parsed


def settle_forms(conn: duckdb.DuckDBPyConnection | None, parsed: list[ParsedFile]) -> None:
    """Give every form its project code and add its records to its file's data.

    A form that names its project code keeps it. Otherwise the project of that year with the
    same name and department in the database is used when there is one; else a stable code
    is derived from the unit's code and a hash of the names (Form.derived_code), so a later
    table of the same project lands on the same code. The department is the database's
    where its code or name matches."""
    for p in parsed:
        for form in p.forms:
            if form.year is None or form.project_name is None or form.department is None:
                continue
            department_code = form.department_code or form.department
            new_department = True
            code = form.project_code
            note_zh = note_en = None
            if conn is not None:
                row = conn.execute(
                    "select department_code from departments where department_code in ($c, $n) "
                    "or department_name = $n order by department_code = $c desc, "
                    "department_name = $n desc limit 1",
                    {"c": department_code, "n": form.department},
                ).fetchall()
                if row:
                    department_code, new_department = row[0][0], False
                if code is None:
                    found = [r[0] for r in conn.execute(
                        "select p.project_code from projects as p "
                        "left join departments as d using (department_code) "
                        "where p.year = $y and p.project_name = $name "
                        "and (p.department_code in ($c, $n) or d.department_name = $n) "
                        "order by p.project_code",
                        {"y": form.year, "name": form.project_name, "c": department_code,
                         "n": form.department},
                    ).fetchall()]  # fmt: skip
                    if found:
                        code = found[0]
                        note_zh = f"表中无项目编码，按项目名称与主管部门对应到已有项目「{code}」"
                        note_en = (f"the table gives no project code: matched the existing "
                                   f"project '{code}' by name and department")  # fmt: skip
                        if len(found) > 1:
                            note_zh += f"（同名项目{len(found)}个，取编码最小者）"
                            note_en += (
                                f" ({len(found)} projects share the name; the first code taken)"
                            )
            if code is None:
                code = form.derived_code()
                basis_zh = "实施单位编码" if form.unit_code else "编码前缀ZP"
                basis_en = "the unit's code" if form.unit_code else "the prefix ZP"
                note_zh = f"表中无项目编码，按{basis_zh}与项目名称哈希生成编码「{code}」"
                note_en = (f"the table gives no project code: code '{code}' derived from "
                           f"{basis_en} and a hash of the unit and project names")  # fmt: skip
            if note_zh:
                form.notes.insert(0, f"{note_zh} | {note_en}")
            before = dict(p.data.rows_read)
            emit_form(form, code, department_code, new_department, p.data, p.log)
            if conn is not None:
                _carry_definitions(conn, p.data, form.year, code)
            for kind in ("projects", "execution", "indicators"):
                rows = p.data.rows_read[kind] - before.get(kind, 0)
                if rows:
                    p.sheets.append(SheetSummary(form.sheet, kind, form.header_row or 1, rows,
                                                 form.layout))  # fmt: skip
            p.notes.extend(_sheet_note(form.sheet, note) for note in form.notes)
            if form.layout == MONITORING and form.month is not None:
                p.notes.append(_sheet_note(form.sheet, f"监控表数据按{form.month}月导入 | "
                                           f"monitoring figures imported at month {form.month}"))  # fmt: skip


def _carry_definitions(conn: duckdb.DuckDBPyConnection, data: FileData, year: int,
                       code: str) -> None:  # fmt: skip
    """An indicator a form restates without its 分值 (a monitoring table has none) keeps
    the points and the cumulative rule already in the database."""
    missing = [k for k, (rec, _ref) in data.indicators.items()
               if k[0] == year and k[1] == code and rec["points"] is None]  # fmt: skip
    if not missing:
        return
    known = {
        (r[0], r[1], r[2]): (r[3], r[4])
        for r in conn.execute(
            "select level1, level2, indicator_name, points, is_cumulative from indicators "
            "where year = $y and project_code = $c", {"y": year, "c": code},
        ).fetchall()
    }  # fmt: skip
    for key in missing:
        old = known.get(key[2:])
        if old is not None:
            record = data.indicators[key][0]
            record["points"] = old[0]
            if record.get("is_cumulative") is None:
                record["is_cumulative"] = old[1]


def sheet_summaries(p: ParsedFile) -> list[SheetSummary]:
    """Per sheet (in the file's order) and kind of record, the rows written from it; the
    header row and layout of each sheet as parsed. A sheet whose rows all repeat earlier ones
    keeps one line with 0 rows."""
    counts = p.data.sheet_counts()
    out: list[SheetSummary] = []
    seen: set[str | None] = set()
    for s in p.sheets:
        if s.sheet in seen:
            continue
        seen.add(s.sheet)
        kinds = [k for k in RECORD_KINDS if counts[(s.sheet, k)]] or [s.kind]
        out.extend(SheetSummary(s.sheet, k, s.header_row, counts[(s.sheet, k)], s.layout)
                   for k in kinds)  # fmt: skip
    return out


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
    layout: LayoutChoice = None,
    origin: str = "",
) -> ImportResult:
    """Import files (.xlsx, .xls, .csv) given as (name, bytes) pairs or paths: canonical
    templates, self-evaluation tables and monitoring tables. All or nothing: raises
    ImportRejected with every issue found (nothing written), else writes one batch per file
    in a single transaction and returns what it did.

    layout: None detects each sheet's layout and refuses a sheet whose layout is ambiguous;
    a layout name ("template:execution", "selfeval_table", "monitoring_table", …) reads every
    sheet that way; a mapping gives it per file name or per (file name, sheet name). The
    layouts used are recorded on each batch (import_batches.layout). Each batch is recorded in
    the audit log (user, origin: where the import came from) in the same transaction."""

    def report(fraction: float, label: str) -> None:
        if progress is not None:
            progress(min(max(fraction, 0.0), 1.0), label)

    if users.refused(conn, user, "upload") is not None:
        # a configured user whose role may not import (a leader, a disabled user)
        raise ImportRejected([ImportIssue("", None, None, None, f"用户 {user} 无权导入数据",
                                          f"the user {user} may not import data")])  # fmt: skip
    limits = limits_from_db(conn)
    inputs = _inputs(files, limits)
    if not inputs:
        raise ImportRejected([ImportIssue("", None, None, None, "没有文件", "no files given")])
    _check_layout_choice(layout)
    parsed = _parse_all(inputs, layout, report, 0.5, limits)
    report(0.5, "核对项目编码 | checking project codes")
    settle_forms(conn, parsed)
    _check_references(conn, parsed)
    issues = [issue for p in parsed for issue in p.log.all_issues()]
    if issues:
        raise ImportRejected(issues)

    n = len(parsed)
    summaries: list[FileSummary] = []
    try:
        with transaction(conn):
            for i, p in enumerate(parsed):
                report(0.55 + 0.45 * i / n, f"写入 {p.file_name} | writing {p.file_name}")
                previous = _previous_batch(conn, p.sha256)
                if previous is not None:
                    p.notes.append(f"同一文件曾导入过（批次{previous}），本次替换之 | the same "
                                   f"file was imported before (batch {previous}); replaced")  # fmt: skip

                def step(fraction: float, label: str, i: int = i) -> None:
                    report(0.55 + 0.45 * (i + fraction) / n, label)

                batch_id = load.next_batch_id(conn)
                replaced = load.write_file(conn, p.data, batch_id, p.notes, step)
                # the rows written, per kind (importer/counts.py): what the preview said,
                # what the batch records and what its rollback archives
                row_counts = p.data.record_counts()
                load.write_batch(
                    conn, batch_id=batch_id, file_name=p.file_name, sha256=p.sha256,
                    layout=p.layout, table_kinds=p.kinds, row_counts=row_counts,
                    replaced_count=sum(replaced.values()), user=user,
                    note="\n".join(p.notes) if p.notes else None,
                )  # fmt: skip
                summaries.append(FileSummary(
                    file_name=p.file_name, sha256=p.sha256, batch_id=batch_id, layout=p.layout,
                    table_kinds=p.kinds, row_counts=row_counts,
                    replaced_count=sum(replaced.values()), ignored_columns=list(p.ignored),
                    notes=list(p.notes), sheets=sheet_summaries(p), replaced_counts=replaced,
                ))  # fmt: skip
                # the stored figures this batch changes are out of date, in the same
                # transaction; the writer recomputes them (results.refresh_stale) after it
                results.invalidate_batch(conn, batch_id)
                # who imported what, in the import's transaction (origin: cli, dashboard)
                audit.record(conn, user=user, action=audit.IMPORT, origin=origin,
                             detail=f"batch {batch_id}: {p.file_name} ({p.layout}, "
                                    f"{sum(row_counts.values())} rows)")  # fmt: skip
    except duckdb.Error as exc:
        # a constraint the checks above did not foresee: nothing was written
        raise ImportRejected([ImportIssue(
            ", ".join(p.file_name for p in parsed), None, None, None,
            f"写入数据库失败，未导入任何数据：{exc}",
            f"writing to the database failed; nothing was imported: {exc}",
        )]) from exc  # fmt: skip
    report(1.0, "导入完成 | import finished")
    return ImportResult(summaries)


def _parse_all(
    inputs: list[tuple[str, bytes]],
    layout: LayoutChoice,
    report: Callable[[float, str], None],
    share: float,
    limits: Limits | None = None,
) -> list[ParsedFile]:
    """Parse every file, reporting progress over [0, share]."""
    parsed: list[ParsedFile] = []
    n = len(inputs)
    for i, (name, content) in enumerate(inputs):
        size_mb = len(content) / 1_000_000
        size = f"（{size_mb:.1f} MB）" if size_mb >= 1 else ""
        report(share * i / n, f"读取并检查 {name}{size} | reading and checking {name}")

        def sheet_progress(fraction: float, label: str, i: int = i) -> None:
            report(share * (i + 0.2 + 0.8 * fraction) / n, label)

        parsed.append(parse_file(name, content, layout, sheet_progress, limits))
    return parsed
