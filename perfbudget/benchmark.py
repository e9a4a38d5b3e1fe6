"""`python -m perfbudget benchmark`: how long the things a user waits for take, and how much
memory they need, at district or city scale. Speed is measured here, never asserted in tests.

It builds a fresh demo database in a temporary folder (or uses --db), then times the queries
behind every page, the full warning list, and an import of a generated execution sheet."""

from __future__ import annotations

import io
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from perfbudget import db, flags
from perfbudget.scope import Scope

PAGE_QUERIES = (
    "scope_summary", "department_execution", "district_execution", "project_execution",
    "indicator_attainment", "project_target_scorecard", "project_output_progress",
)


def peak_rss_mib() -> float | None:
    """Peak resident memory of this process; None where the OS does not say (Windows)."""
    try:
        import resource
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


def timed(label: str, action: Callable[[], object], results: list[tuple[str, float, str]]) -> object:
    start = time.perf_counter()
    value = action()
    seconds = time.perf_counter() - start
    detail = f"{len(value):,} rows" if hasattr(value, "__len__") and not isinstance(value, dict) else ""
    results.append((label, seconds, detail))
    print(f"  {label:<42} {seconds:8.2f} s  {detail}", flush=True)
    return value


def execution_sheet(conn, rows: int) -> bytes:
    """A CSV of cumulative spending for existing projects, `rows` lines long (the shape of a
    city's monthly upload), to time the importer end to end."""
    year = conn.execute("select max(year) from projects").fetchall()[0][0]
    codes = [r[0] for r in conn.execute(
        "select project_code from projects where year = ? order by project_code", [year]
    ).fetchall()]
    buffer = io.StringIO()
    buffer.write("年度,月份,项目编码,资金来源,累计支出（元）\n")
    months_needed = max(1, -(-rows // max(len(codes), 1)))
    written = 0
    for month in range(1, min(12, months_needed) + 1):
        for code in codes:
            if written >= rows:
                break
            buffer.write(f"{year},{month},{code},当年财政拨款,{month * 1000}.00\n")
            written += 1
    return buffer.getvalue().encode("utf-8")


def time_briefing(conn, year: int, month: int, results: list[tuple[str, float, str]]) -> None:
    """The district briefing a user downloads: the model (queries and warnings), the PPTX (its
    charts drawn by kaleido, the first one starting Chromium), and the PDF (LibreOffice)."""
    from perfbudget.export import pdf
    from perfbudget.export.briefing import build_briefing
    from perfbudget.export.pptx import briefing_pptx, chart_images

    briefing = timed("district briefing: model", lambda: build_briefing(conn, year, month),
                     results)
    drawn: dict[str, dict[str, bytes]] = {}

    def draw() -> None:  # None: the timing line shows no "rows"
        drawn["images"] = chart_images(briefing)

    timed(f"district briefing: {len(briefing.sections)} slides' charts", draw, results)
    images = drawn["images"]
    timed("district briefing: PPTX", lambda: briefing_pptx(briefing, images=images) and None,
          results)
    if pdf.available():
        timed("district briefing: PDF (LibreOffice)",
              lambda: pdf.briefing_pdf(briefing, images) and None, results)


def run(scale: str, db_path: Path | None, import_rows: int) -> int:
    results: list[tuple[str, float, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"bench-{scale}.duckdb"
        if db_path is not None:
            # work on a copy: the benchmark imports, and must never change the user's data
            shutil.copyfile(db_path, path)
        print(f"PerfBudget benchmark — scale {scale}, database {db_path or path}")
        conn = db.connect(path)
        if conn.execute("select count(*) from projects").fetchall()[0][0] == 0:
            from perfbudget.demo import build_demo

            timed(f"build demo ({scale})", lambda: build_demo(conn, scale=scale), results)
            conn.execute("checkpoint")
        size = os.path.getsize(path) / 1024 / 1024
        print(f"  database size: {size:,.1f} MiB")
        year, month = conn.execute(
            "select year, max(month) from spending group by year order by year desc limit 1"
        ).fetchall()[0]
        month = min(int(month), 8)
        scope = Scope.everything()
        for name in PAGE_QUERIES:
            timed(f"query {name}", lambda n=name: db.run_query(
                conn, n, scope, year=year, month=month), results)
        timed("all warning rules", lambda: flags.warning_flags(conn, year, month, scope), results)
        timed("all warning rules (public scope)",
              lambda: flags.warning_flags(conn, year, month, Scope.public()), results)
        time_briefing(conn, year, month, results)
        if import_rows > 0:
            from perfbudget.importer import import_files

            sheet = execution_sheet(conn, import_rows)
            timed(f"import {import_rows:,}-row execution CSV",
                  lambda: import_files(conn, [("bench-execution.csv", sheet)], user="benchmark"),
                  results)
        conn.close()
    rss = peak_rss_mib()
    print(f"  peak memory (RSS): {rss:,.0f} MiB" if rss is not None else "  peak memory: n/a")
    return 0
