"""`python -m perfbudget export …`: the briefing as PPTX / PDF / XLSX and any report as a
formatted .xlsx, internal (内部) or public (公开, no sensitive project), from the command line.

    perfbudget export briefing --db PATH --year Y --month M [--scope CODE] [--public]
                               [--sections kpi,execution,…] --out FILE.pptx|FILE.pdf|FILE.xlsx
    perfbudget export table NAME --db PATH --year Y [--month M] [--public] --out FILE.xlsx

Both take --user NAME: that configured user's departments, sensitive right and role (the
Scope the pages build from a sign-in; exit 5 for no such user or a disabled one); without it
the local admin. A public export never holds a sensitive project, whoever asks (the user's
scope with include_sensitive off). Each export is written to the audit log before the file.

The marking goes into the file name when --out is a folder, and always onto every slide and
sheet. Sections left out for lack of data are listed on stderr. Exit codes: 0 done, 1 a bad
request (no database, a month outside 1–12, a wrong --out, no data in scope), 3 the database
busy, 4 no PDF could be made (perfbudget.exit_codes.ExitCode explains each)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from perfbudget import audit
from perfbudget.exit_codes import ExitCode
from perfbudget.export.briefing import SECTIONS
from perfbudget.reports import PEFA_LEVELS, REPORTS, RequestError, open_read_only, report_options
from perfbudget.scope import Scope

EXIT_OK, EXIT_USAGE, EXIT_UNAVAILABLE = ExitCode.OK, ExitCode.USAGE, ExitCode.UNAVAILABLE
BRIEFING_SUFFIXES = (".pptx", ".pdf", ".xlsx")


def add_export_parser(sub, with_db) -> None:
    export = sub.add_parser("export", help="export a briefing or a table / 导出简报或报表")
    kinds = export.add_subparsers(dest="export_kind", required=True)

    brief = kinds.add_parser("briefing", help="the briefing deck / 简报（PPTX、PDF、Excel 附表）")
    with_db(brief)
    brief.add_argument("--year", type=int, required=True)
    brief.add_argument(
        "--month",
        type=int,
        default=None,
        help="as-of month 1–12 (default: the last month with spending data)",
    )
    brief.add_argument(
        "--scope",
        default=None,
        metavar="CODE",
        help="a department code (default: the whole district)",
    )
    brief.add_argument(
        "--public",
        action="store_true",
        help="public version: no sensitive project / 公开版（不含涉密项目）",
    )
    brief.add_argument(
        "--sections",
        default=None,
        help=f"comma list of {','.join(SECTIONS)} (default: all; cost_classes when costed, pefa when rated)",
    )
    brief.add_argument(
        "--lang",
        choices=("zh", "en"),
        default="zh",
        help="the deck's language: titles, captions, notes and headers (default zh)",
    )
    brief.add_argument("--user", dest="as_user", default=None, metavar="NAME", help=USER_HELP)
    brief.add_argument(
        "--out",
        type=Path,
        required=True,
        help="FILE.pptx, FILE.pdf or FILE.xlsx, or a folder (named for you)",
    )
    brief.set_defaults(handler=_cmd_briefing)

    table = kinds.add_parser("table", help="a report as a formatted .xlsx / 报表导出为 Excel")
    table.add_argument("name", choices=sorted(REPORTS))
    with_db(table)
    table.add_argument("--year", type=int, required=True)
    table.add_argument("--month", type=int, default=None)
    table.add_argument(
        "--public",
        action="store_true",
        help="public version: no sensitive project / 公开版（不含涉密项目）",
    )
    table.add_argument("--out", type=Path, required=True, help="FILE.xlsx or a folder")
    table.add_argument(
        "--level",
        choices=PEFA_LEVELS,
        default=None,
        help="pefa only: the heads (default district), as in `perfbudget report`",
    )
    table.add_argument("--user", dest="as_user", default=None, metavar="NAME", help=USER_HELP)
    table.set_defaults(handler=_cmd_table)


USER_HELP = (
    "act as this configured user: their departments, sensitive right and role "
    "(default: the local admin)"
)


def _acting(args, conn):
    """The user the export is made as (perfbudget.user_commands.acting_user, read through the
    command's connection), or an exit code."""
    # the CLI's --user rules: loaded with the command that uses them
    from perfbudget.user_commands import acting_user

    return acting_user(conn, args.as_user, "export")


def _record(args, user, detail: str) -> None:
    # where the command came from: the CLI's audit origin
    from perfbudget.user_commands import origin

    audit.record_to(args.db, user=user.name, action=audit.EXPORT, detail=detail, origin=origin())


def _open(args):
    """The database read-only and the as-of month, or an exit code after a message
    (reports.open_read_only: the checks of `perfbudget report`)."""
    try:
        conn, month = open_read_only(args.db, args.year, args.month)
    except RequestError as exc:
        print(str(exc), file=sys.stderr)
        return None, None, EXIT_USAGE
    return conn, month, EXIT_OK


def _cmd_briefing(args) -> int:
    # the briefing's exporters (python-pptx, openpyxl, LibreOffice) load for this command only
    from perfbudget.export.briefing import BriefingError, briefing_xlsx, build_briefing
    from perfbudget.export.pdf import PdfConversionError, PdfUnavailable, briefing_pdf
    from perfbudget.export.pptx import briefing_pptx

    out: Path = args.out
    folder = out.is_dir() or out.suffix == ""
    if not folder and out.suffix.lower() not in BRIEFING_SUFFIXES:
        print(
            "--out 须为 .pptx、.pdf 或 .xlsx 文件或文件夹 / --out must be a .pptx, .pdf or "
            ".xlsx file, or a folder",
            file=sys.stderr,
        )
        return EXIT_USAGE
    conn, month, code = _open(args)
    if conn is None:
        return code
    sections = [s.strip() for s in args.sections.split(",")] if args.sections else None
    start = time.perf_counter()
    try:
        user = _acting(args, conn)
        if isinstance(user, ExitCode):
            return user
        briefing = build_briefing(
            conn,
            args.year,
            month,
            args.scope,
            public=args.public,
            sections=sections,
            base_scope=user.scope(),
            lang=args.lang,
        )
    except BriefingError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    finally:
        conn.close()
    for line in briefing.omitted_lines():
        print(line, file=sys.stderr)
    if folder:
        out.mkdir(parents=True, exist_ok=True)
        target = out / briefing.file_name("pptx")
    else:
        target = out
    suffix = target.suffix.lower()
    try:
        if suffix == ".pptx":
            content = briefing_pptx(briefing)
        elif suffix == ".pdf":
            content = briefing_pdf(briefing)
        else:
            content = briefing_xlsx(briefing)
    except PdfUnavailable as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_UNAVAILABLE
    except PdfConversionError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_UNAVAILABLE
    where = f" department {args.scope}" if args.scope else ""
    _record(args, user, f"briefing {args.year}-{month:02d}{where} {briefing.marking} → {target}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    seconds = time.perf_counter() - start
    print(
        f"简报已导出（{briefing.marking}，{1 + len(briefing.sections)}页）/ briefing written: "
        f"{target} ({seconds:.1f} s)"
    )
    return EXIT_OK


def _cmd_table(args) -> int:
    # the table exporter (openpyxl) loads for this command only
    from perfbudget.export import file_stem, marking
    from perfbudget.export.tables import report_xlsx

    out: Path = args.out
    folder = out.is_dir() or out.suffix == ""
    if not folder and out.suffix.lower() != ".xlsx":
        print(
            "--out 须为 .xlsx 文件或文件夹 / --out must be an .xlsx file or a folder",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        options = report_options(args.name, level=args.level)
    except RequestError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    conn, month, code = _open(args)
    if conn is None:
        return code
    report = REPORTS[args.name]
    try:
        user = _acting(args, conn)
        if isinstance(user, ExitCode):
            return user
        # a public table: never a sensitive project (Scope.public()), within what the user sees
        scope = user.scope()
        if args.public:
            scope = Scope(departments=scope.departments, include_sensitive=False)
        frame = report.build(conn, args.year, month, scope, **options)
    finally:
        conn.close()
    mark = marking(args.public)
    label = report.description.split(" / ")[0]
    title = f"【{mark}】{label}　数据截至{args.year}年{month}月"
    cover = [
        title,
        f"报表：{args.name}",
        f"行数：{len(frame)}",
        "公开版：不含涉密（敏感）项目。"
        if args.public
        else "内部版：含全部项目（包括涉密项目），仅限内部使用。",
    ]
    content = report_xlsx(args.name, frame, report.columns, title=title, marking=mark, cover=cover)
    if folder:
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{file_stem(label, 30)}_{args.year}年{month:02d}月_{mark}.xlsx"
    else:
        target = out
    _record(
        args,
        user,
        f"table {args.name} {args.year}-{month:02d} {mark} ({len(frame)} rows) → {target}",
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    print(f"报表已导出（{mark}，{len(frame)}行）/ table written: {target}")
    return EXIT_OK
