"""Command line: `python -m perfbudget …` (also installed as `perfbudget`).

Scripts and checks rely on these names and columns; extend them, never rename them.

    perfbudget demo   [--db PATH] [--scale district|city] [--seed N]
    perfbudget import [--db PATH] [--user NAME] FILE...
    perfbudget report NAME [--db PATH] --year Y [--month M] [--format csv|json|table]
                           [--user NAME]   (that user's scope and rights)
                           [--level city|district|department|city_category|district_category]
                           (pefa only; *_category: PI-2 over the 项目类别)
                           (budget_review: --year is the requested year)
    perfbudget benchmark [--scale district|city] [--db PATH] [--import-rows N]
    perfbudget batches [--db PATH] [--limit N] [--format csv|json|table]
    perfbudget rollback BATCH_ID [--db PATH] [--user NAME]
    perfbudget restore  BATCH_ID [--db PATH] [--user NAME]
    perfbudget export briefing --db PATH --year Y --month M [--scope CODE] [--public]
                               [--sections a,b,…] --out FILE.pptx|FILE.pdf|FILE.xlsx
    perfbudget export table NAME --db PATH --year Y [--month M] [--public] --out FILE.xlsx
                            [--level city|district|department|city_category|district_category]
                            (pefa only)
    (export briefing / table also take --user NAME: that user's scope and rights)
    perfbudget users add NAME --role leader|analyst|admin [--departments CODE,…] [--sensitive]
                              --db PATH
    perfbudget users passwd|disable NAME --db PATH;  perfbudget users list --db PATH
    perfbudget audit --db PATH [--since DATE] [--until DATE] [--by NAME] [--action A]
                     [--format csv|json|table]     (columns at, user, action, detail, origin)

--user NAME (perfbudget.user_commands explains it in full): on report and export that user's
scope and rights, exit 5 for a name that is no configured user or a disabled one; without it
the command acts as the local admin. On import, rollback and restore the name recorded, with
its rights when it is a configured user. Every import, rollback, restore, export and report,
and every user change, is written to the audit log (perfbudget.audit).

Exit codes (perfbudget.exit_codes.ExitCode, each explained there): 0 done; 1 usage or missing
database; 2 input refused (nothing written); 3 the database is held by another process (the
running dashboard); 4 the PDF could not be made (no LibreOffice); 5 --user names no (enabled)
user; 6 the --user's role may not do it.

Beside a running dashboard, a command is handed to it through `<db folder>/inbox/` and
prints and exits as a direct run would (perfbudget.inbox); exit 3 is then left for a file
held by another command after the wait (--timeout, $PERFBUDGET_BUSY_WAIT).
"""

from __future__ import annotations

import argparse
import getpass
import json
import math
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pandas as pd

from perfbudget import audit, db, results, user_commands
from perfbudget.exit_codes import ExitCode
from perfbudget.export.commands import add_export_parser
from perfbudget.reports import PEFA_LEVELS, REPORTS, RequestError, open_read_only, report_options
from perfbudget.user_commands import add_audit_parser, add_users_parser

# the exit codes under their short names (perfbudget.exit_codes defines and explains them)
EXIT_OK, EXIT_USAGE, EXIT_REFUSED, EXIT_BUSY = (
    ExitCode.OK,
    ExitCode.USAGE,
    ExitCode.REFUSED,
    ExitCode.BUSY,
)


def main(argv: Sequence[str] | None = None) -> int:
    # A Windows console may not be UTF-8: never die on a character it cannot show.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    parser = _parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    try:
        return args.handler(args)
    except db.DatabaseBusyError as exc:
        # Held by the running dashboard: hand the command to it (perfbudget.inbox) and exit
        # with its exit code; held by another command: wait for the file, then exit 3.
        from perfbudget.inbox import when_busy

        return when_busy(argv, args, exc, retry=lambda: args.handler(args))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="perfbudget", description="预算绩效看板 PerfBudget — command line"
    )
    sub = parser.add_subparsers(dest="command")

    def with_db(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--db",
            type=Path,
            default=db.DEFAULT_DB_PATH,
            help=f"DuckDB file (default {db.DEFAULT_DB_PATH})",
        )
        p.add_argument(
            "--timeout",
            type=float,
            default=None,
            metavar="SECONDS",
            help="when the database is busy: the longest wait for the running "
            "dashboard's result (default 1800) or for another command to "
            "finish (default 15, or $PERFBUDGET_BUSY_WAIT)",
        )

    demo = sub.add_parser("demo", help="build the synthetic demo database / 生成演示数据库")
    with_db(demo)
    demo.add_argument("--scale", choices=("district", "city"), default="district")
    demo.add_argument("--seed", type=int, default=None, help="random seed (deterministic)")
    demo.set_defaults(handler=_cmd_demo)

    imp = sub.add_parser("import", help="import template files / 导入数据文件")
    with_db(imp)
    imp.add_argument("--user", default=None, help=USER_RECORDED_HELP)
    imp.add_argument("files", nargs="+", type=Path)
    imp.set_defaults(handler=_cmd_import)

    rep = sub.add_parser("report", help="print a report / 输出报表")
    rep.add_argument("name", choices=sorted(REPORTS))
    with_db(rep)
    rep.add_argument(
        "--year",
        type=int,
        required=True,
        help="the year; for budget_review the requested year (its requests are "
        "judged against the year before)",
    )
    rep.add_argument(
        "--month",
        type=int,
        default=None,
        help="as-of month 1–12 (default: the last month with spending data)",
    )
    rep.add_argument("--format", choices=("csv", "json", "table"), default="csv")
    rep.add_argument(
        "--level",
        choices=PEFA_LEVELS,
        default=None,
        help="pefa only: the heads (default district), each over the heads one level "
        "down (*_category: over the 项目类别); --year Y is then the last of three completed years",
    )
    rep.add_argument("--user", dest="as_user", default=None, metavar="NAME", help=USER_SCOPE_HELP)
    rep.set_defaults(handler=_cmd_report)

    bench = sub.add_parser("benchmark", help="time the queries, warnings and import / 性能测试")
    bench.add_argument("--scale", choices=("district", "city"), default="district")
    bench.add_argument(
        "--db",
        type=Path,
        default=None,
        help="measure a copy of this database instead of a fresh demo",
    )
    bench.add_argument(
        "--import-rows",
        type=int,
        default=100_000,
        help="rows of the generated execution sheet to import (0 to skip)",
    )
    bench.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="json: every figure with its target, and the machine",
    )
    bench.set_defaults(handler=_cmd_benchmark)

    batches = sub.add_parser("batches", help="list the import batches / 导入批次")
    with_db(batches)
    batches.add_argument("--limit", type=int, default=200)
    batches.add_argument("--format", choices=("csv", "json", "table"), default="table")
    batches.set_defaults(handler=_cmd_batches)

    rollback = sub.add_parser("rollback", help="roll back one import batch / 撤销导入批次")
    rollback.add_argument("batch_id", type=int)
    with_db(rollback)
    rollback.add_argument("--user", default=None, help=USER_RECORDED_HELP)
    rollback.set_defaults(handler=_cmd_rollback)

    restore = sub.add_parser("restore", help="undo the rollback of a batch / 恢复已撤销的批次")
    restore.add_argument("batch_id", type=int)
    with_db(restore)
    restore.add_argument("--user", default=None, help=USER_RECORDED_HELP)
    restore.set_defaults(handler=_cmd_restore)

    add_export_parser(sub, with_db)
    add_users_parser(sub, with_db, render)
    add_audit_parser(sub, with_db, render)
    return parser


USER_RECORDED_HELP = (
    "recorded in the batch history and the audit log; a configured user's rights apply"
)
USER_SCOPE_HELP = (
    "act as this configured user: their departments, sensitive right and role "
    "(default: the local admin)"
)


def _cmd_batches(args) -> int:
    # each command loads what it runs: the importer and its readers only for the batch commands
    from perfbudget.importer import list_batches

    if not args.db.is_file():
        print(f"数据库不存在 / no database at {args.db}", file=sys.stderr)
        return EXIT_USAGE
    conn = db.connect(args.db, read_only=True)
    try:
        frame = list_batches(conn, limit=args.limit)
    finally:
        conn.close()
    sys.stdout.write(render(frame, args.format))
    return EXIT_OK


def _cmd_rollback(args) -> int:
    # each command loads what it runs: the importer only for the batch commands
    from perfbudget.importer import RollbackRefused, rollback_batch

    return _batch_command(args, rollback_batch, RollbackRefused,
                          "撤销被拒绝，数据库未做任何改动 / Rollback refused, the database is unchanged:")  # fmt: skip


def _cmd_restore(args) -> int:
    # each command loads what it runs: the importer only for the batch commands
    from perfbudget.importer import RestoreRefused, restore_batch

    return _batch_command(args, restore_batch, RestoreRefused,
                          "恢复被拒绝，数据库未做任何改动 / Restore refused, the database is unchanged:")  # fmt: skip


def _batch_command(args, action, refused: type[Exception], refused_line: str) -> int:
    """Roll back or restore one batch: exit 0 with its summary, 2 when refused (nothing
    changed), 1 without a database."""
    if not args.db.is_file():
        print(f"数据库不存在 / no database at {args.db}", file=sys.stderr)
        return EXIT_USAGE
    user = args.user or _os_user()
    acting = user_commands.recorded_user(args.db, user, "") if args.user else None
    if isinstance(acting, ExitCode):
        return acting
    conn = db.connect(args.db)
    try:
        if acting is not None:
            # a configured user: their own batch, unless their role may take back any
            rows = conn.execute(
                "select imported_by from import_batches where batch_id = ?", [args.batch_id]
            ).fetchall()
            denied = user_commands.batch_rights(acting, rows[0][0]) if rows else None
            if denied is not None:
                return denied
        result = action(conn, args.batch_id, user=user, origin=user_commands.origin())
        _refresh_results(conn)
    except refused as exc:
        print(refused_line, file=sys.stderr)
        print(str(exc), file=sys.stderr)
        return EXIT_REFUSED
    finally:
        conn.close()
    print(result.summary_line())
    return EXIT_OK


def _cmd_benchmark(args) -> int:
    # each command loads what it runs: the benchmark only when asked for
    from perfbudget.benchmark import run

    return run(args.scale, args.db, args.import_rows, args.format)


def _refresh_results(conn) -> None:
    """After a write: the stored figures it made out of date computed again
    (perfbudget.results), with a progress line on a terminal."""

    def progress(fraction: float, period: str) -> None:
        if sys.stderr.isatty():
            print(
                f"\r更新统计结果 / updating stored figures: {period} {fraction:4.0%}",
                end="" if fraction < 1 else "\n",
                file=sys.stderr,
                flush=True,
            )

    results.refresh_stale(conn, progress)


def _cmd_demo(args) -> int:
    # each command loads what it runs: the demo generator (numpy, pyarrow) only for `demo`
    from perfbudget.demo import build_demo

    conn = db.connect(args.db)
    try:
        kwargs = {"scale": args.scale}
        if args.seed is not None:
            kwargs["seed"] = args.seed
        counts = build_demo(conn, **kwargs)
    finally:
        conn.close()
    print(f"演示数据库已生成 / demo database written: {args.db} ({args.scale})")
    for table, count in counts.items():
        print(f"  {table}: {count:,}")
    return EXIT_OK


def _cmd_import(args) -> int:
    # each command loads what it runs: the importer and its readers only for `import`
    from perfbudget.importer import ImportRejected, import_files

    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        for name in missing:
            print(f"找不到文件 / file not found: {name}", file=sys.stderr)
        return EXIT_USAGE
    if args.user:
        acting = user_commands.recorded_user(args.db, args.user, "upload")
        if isinstance(acting, ExitCode):
            return acting
    conn = db.connect(args.db)
    try:
        result = import_files(
            conn, list(args.files), user=args.user or _os_user(), origin=user_commands.origin()
        )
        _refresh_results(conn)
    except ImportRejected as exc:
        print(
            "导入被拒绝，数据库未做任何改动 / Import refused, the database is unchanged:",
            file=sys.stderr,
        )
        print(str(exc), file=sys.stderr)
        return EXIT_REFUSED
    finally:
        conn.close()
    for line in result.summary_lines():
        print(line)
    return EXIT_OK


def _cmd_report(args) -> int:
    try:
        options = report_options(args.name, level=args.level)
        conn, month = open_read_only(args.db, args.year, args.month)
    except RequestError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    try:
        user = user_commands.acting_user(conn, args.as_user, "view")
        if isinstance(user, ExitCode):
            return user
        report = REPORTS[args.name]
        frame = report.build(conn, args.year, month, user.scope(), **options)
    finally:
        conn.close()
    out = frame.reindex(columns=list(report.columns))
    # what left the database, before it is printed (a busy file: the dashboard runs it all)
    audit.record_to(
        args.db,
        user=user.name,
        action=audit.EXPORT,
        detail=f"report {args.name} {args.year}-{month:02d} ({args.format}, {len(out)} rows)",
        origin=user_commands.origin(),
    )
    sys.stdout.write(render(out, args.format))
    return EXIT_OK


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


# --- output -------------------------------------------------------------------------------


def _plain(value: object) -> object:
    """A cell as scripts want it: Decimal money exact, rates as plain numbers, NaN empty."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def render(frame: pd.DataFrame, fmt: str) -> str:
    rows = [[_plain(v) for v in row] for row in frame.itertuples(index=False)]
    if fmt == "json":
        records = [dict(zip(frame.columns, row, strict=True)) for row in rows]
        return json.dumps(records, ensure_ascii=False, indent=1, default=_json_default) + "\n"
    if fmt == "table":
        shown = pd.DataFrame(
            [["" if v is None else v for v in row] for row in rows], columns=frame.columns
        )
        return shown.to_string(index=False) + "\n"
    # the CSV output only: export.xlsx loads openpyxl, which the other formats do without
    import csv
    import io

    from perfbudget.export.xlsx import neutralise

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(frame.columns)
    # text that a spreadsheet would run as a formula (= + - @) gets a leading quote
    writer.writerows(
        ["" if v is None else neutralise(v) if isinstance(v, str) else v for v in row]
        for row in rows
    )
    return buffer.getvalue()


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        # Money has at most two decimals: float's repr gives back the same digits.
        return float(value)
    return str(value)


if __name__ == "__main__":
    raise SystemExit(main())
