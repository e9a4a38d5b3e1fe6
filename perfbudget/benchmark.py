"""`python -m perfbudget benchmark`: how long the things a user waits for take, and how much
memory they need, at district or city scale, against the targets we hold ourselves to.
Speed is measured here, never asserted in tests.

In one run, on a fresh demo database in a temporary folder (or a copy of --db):
- build_s: the demo built and its results stored (perfbudget.results);
- query_p50_ms / p95: each stored results table read at the latest month;
- page_s: every page opened under AppTest in a child process, cold (caches empty, as after
  an import) and warm (the same page again); the child's peak RSS is the server's;
- import_s / refresh_s: a one-month execution sheet for every project imported, then the
  stored results it touched computed again;
- import_s / parse_s / import_parse_ratio: a 100,000-row .xlsx imported against a bare
  fastexcel parse of the same bytes;
- pandas_ratio: the overview's figures computed with pandas from Parquet against ours;
- peak RSS of this process.
"""

from __future__ import annotations

import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from perfbudget import db, results
from perfbudget.scope import Scope

PAGES = (
    "overview",
    "execution",
    "targets",
    "warnings",
    "dual_monitoring",
    "forecast",
    "project",
    "selfeval",
    "departments",
    "rectification",
    "disclosure",
    "costs",
    "budget_requests",
    "reliability",
    "briefing",
    "upload",
    "settings",
)

# (figure, scale) -> (target, "max" | "min"): what we hold ourselves to (issue 10).
TARGETS: dict[tuple[str, str], tuple[float, str]] = {
    ("page_cold_s", "district"): (1.0, "max"),
    ("page_warm_s", "district"): (0.3, "max"),
    ("page_cold_s", "city"): (2.0, "max"),
    ("page_warm_s", "city"): (0.5, "max"),
    ("query_p50_ms", "city"): (100.0, "max"),
    ("query_p50_ms", "district"): (100.0, "max"),
    ("refresh_s", "city"): (15.0, "max"),
    ("refresh_s", "district"): (15.0, "max"),
    ("import_parse_ratio", "city"): (3.0, "max"),
    ("import_parse_ratio", "district"): (3.0, "max"),
    ("server_peak_rss_mib", "city"): (1024.0, "max"),
    ("server_peak_rss_mib", "district"): (1024.0, "max"),
    ("pandas_ratio", "city"): (5.0, "min"),
    ("pandas_ratio", "district"): (5.0, "min"),
}


@dataclass
class Figure:
    name: str
    value: float | None
    unit: str
    detail: str = ""
    target: float | None = None
    kind: str = "max"

    @property
    def met(self) -> bool | None:
        if self.target is None or self.value is None:
            return None
        return self.value <= self.target if self.kind == "max" else self.value >= self.target


def peak_rss_mib() -> float | None:
    """Peak resident memory of this process; None where the OS does not say (Windows).
    Linux: VmHWM, which starts afresh with each program (getrusage's maxrss carries a forked
    child's parent peak across exec)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    try:
        import resource  # Unix only: no peak figure on Windows
    except ImportError:
        return None
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes
    return peak / 1024 / 1024 if sys.platform == "darwin" else peak / 1024


def machine() -> dict[str, object]:
    memory = None
    try:
        with open("/proc/meminfo", encoding="ascii") as info:
            memory = round(int(info.readline().split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    import duckdb  # only for its version here (perfbudget.db has loaded it already)

    return {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "memory_gib": memory,
        "duckdb": duckdb.__version__,
    }


T = TypeVar("T")


def _seconds(action: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    value = action()
    return time.perf_counter() - start, value


def execution_sheet(conn, rows: int | None = None, month: int | None = None) -> bytes:
    """A CSV of cumulative spending for existing projects (the shape of a monthly upload):
    every project at `month`, or `rows` lines over months 1, 2, … to time the importer."""
    everything = Scope.everything()
    year = int(db.run_live(conn, "available_periods", everything)["year"].iloc[0])  # the newest
    codes = sorted(db.run_live(conn, "project_list", everything, year=year)["project_code"])
    buffer = io.StringIO()
    buffer.write("年度,月份,项目编码,资金来源,累计支出（元）\n")
    months = [month] if month is not None else range(1, 13)
    written = 0
    for m in months:
        for code in codes:
            if rows is not None and written >= rows:
                break
            buffer.write(f"{year},{m},{code},当年财政拨款,{m * 1000}.00\n")
            written += 1
    return buffer.getvalue().encode("utf-8")


def execution_xlsx(csv: bytes) -> bytes:
    """The same rows as an .xlsx (the format analysts upload), written with openpyxl."""
    import openpyxl  # slow to load; only the .xlsx import timing needs it

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("支出执行")
    for line in csv.decode("utf-8").splitlines():
        cells = line.split(",")
        if cells[0].isdigit():
            sheet.append([int(cells[0]), int(cells[1]), cells[2], cells[3], float(cells[4])])
        else:
            sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def query_reads(conn, year: int, month: int) -> list[Figure]:
    figures = []
    for query in results.STORED:
        # a table read in windows is timed as its page reads it: the first 500 rows sorted
        # by a column, and the count (results.read_window)
        windowed = query in results.WINDOWED
        times = []
        for _ in range(7):
            read = (
                partial(
                    results.read_window,
                    conn,
                    query,
                    Scope.everything(),
                    year,
                    month,
                    order=("progress", True),
                    limit=500,
                )
                if windowed
                else partial(results.read, conn, query, Scope.everything(), year, month)
            )
            seconds, rows = _seconds(read)
            times.append(seconds * 1000)
        if windowed and rows is not None:
            shown, total = rows
            detail = f"a window of {len(shown):,} of {total:,} rows"
        else:
            detail = f"{len(rows) if rows is not None else 0:,} rows"
        p95 = sorted(times)[int(0.95 * (len(times) - 1))]
        figures.append(
            Figure(
                f"query_p50_ms {query}",
                statistics.median(times),
                "ms",
                f"p95 {p95:.0f} ms, {detail}",
            )
        )
    return figures


def pandas_overview(parquet_dir: Path, year: int, month: int) -> object:
    """The overview's district figures (budget, cumulative spend carried forward per key,
    execution rate against time progress) computed with pandas from Parquet files."""
    import pandas as pd  # the pandas baseline's own import (perfbudget.db has loaded it)

    projects = pd.read_parquet(parquet_dir / "projects.parquet")
    spending = pd.read_parquet(parquet_dir / "spending.parquet")
    projects = projects[projects["year"] == year]
    spent = spending[(spending["year"] == year) & (spending["month"] <= month)]
    latest = (
        spent.sort_values("month")
        .groupby(["project_code", "fund_source", "economic_class"], dropna=False)
        .tail(1)
    )
    per_project = latest.groupby("project_code")["cumulative_yuan"].sum()
    budget = projects["adjusted_budget_yuan"].sum()
    total = per_project[per_project.index.isin(projects["project_code"])].sum()
    rate = float(total) / float(budget) if budget else None
    return {
        "budget": budget,
        "spent": total,
        "rate": rate,
        "pace": rate / (month / 12) if rate is not None else None,
    }


def page_timings(path: Path) -> dict[str, Any]:  # the child's JSON
    """Every page under AppTest in a child process (its own caches and memory, like a
    server): cold then warm. Returns {"pages": {page: [cold, warm]}, "peak_rss_mib": …}."""
    env = {**os.environ, "PERFBUDGET_DB": str(path), "PERFBUDGET_INBOX": "0"}
    # scripts/bench_pages.py: the app driven under AppTest (streamlit stays out of the package)
    script = Path(__file__).resolve().parent.parent / "scripts" / "bench_pages.py"
    child = subprocess.run(
        [sys.executable, str(script), str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode != 0:
        raise RuntimeError(f"page timings failed:\n{child.stderr[-3000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def run(scale: str, db_path: Path | None, import_rows: int, output: str = "table") -> int:
    figures: list[Figure] = []
    say = (
        (lambda *a: print(*a, file=sys.stderr, flush=True))
        if output == "json"
        else (lambda *a: print(*a, flush=True))
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"bench-{scale}.duckdb"
        if db_path is not None:
            # work on a copy: the benchmark imports, and must never change the user's data
            shutil.copyfile(db_path, path)
        say(f"PerfBudget benchmark — scale {scale}, database {db_path or path}")
        conn = db.connect(path)
        periods = db.run_live(conn, "available_periods", Scope.everything())
        if periods.empty:  # no project yet: the demo
            from perfbudget.demo import build_demo  # only a new database needs the generator

            seconds, _ = _seconds(lambda: build_demo(conn, scale=scale, refresh=False))
            figures.append(Figure("build_data_s", seconds, "s", "the synthetic data"))
            seconds, written = _seconds(lambda: results.refresh_all(conn))
            figures.append(
                Figure(
                    "build_results_s", seconds, "s", f"every stored result, {len(written)} periods"
                )
            )
            conn.execute("checkpoint")
        results.refresh_stale(conn)
        say(f"  built; database {os.path.getsize(path) / 1024 / 1024:,.0f} MiB")
        # the newest year with spending, and its last month (available_periods: newest first)
        periods = db.run_live(conn, "available_periods", Scope.everything()).dropna(
            subset=["last_month"]
        )
        year, month = int(periods["year"].iloc[0]), int(periods["last_month"].iloc[0])
        figures += query_reads(conn, year, int(month))
        say("  results reads timed")

        parquet = Path(tmp) / "parquet"
        parquet.mkdir()
        for table in ("projects", "spending"):
            conn.execute(f"copy {table} to '{parquet / table}.parquet' (format parquet)")
        pandas_s = min(
            _seconds(lambda: pandas_overview(parquet, year, int(month)))[0] for _ in range(3)
        )
        ours_s = min(
            _seconds(
                lambda: results.read(conn, "scope_summary", Scope.everything(), year, int(month))
            )[0]
            for _ in range(3)
        )
        figures.append(
            Figure(
                "pandas_ratio",
                pandas_s / ours_s,
                "×",
                f"pandas from Parquet {pandas_s * 1000:.0f} ms, stored {ours_s * 1000:.1f} ms",
            )
        )
        conn.close()

        timings = page_timings(path)
        for page, (cold, warm, *failed) in timings["pages"].items():
            note = f"FAILED: {failed[0]}" if failed else ""
            figures.append(Figure(f"page_cold_s {page}", cold, "s", note))
            figures.append(Figure(f"page_warm_s {page}", warm, "s", note))
        figures.append(
            Figure(
                "server_peak_rss_mib",
                timings["peak_rss_mib"],
                "MiB",
                "a process that opened every page, cold and warm",
            )
        )
        say("  pages timed")

        conn = db.connect(path)
        from perfbudget.importer import import_files  # loaded for the import timings only

        sheet = execution_sheet(conn, month=int(month))
        seconds, _ = _seconds(
            lambda: import_files(conn, [("one-month.csv", sheet)], user="benchmark")
        )
        lines = sheet.count(b"\n") - 1
        figures.append(Figure("one_month_import_s", seconds, "s", f"{lines:,} rows, month {month}"))
        seconds, periods = _seconds(lambda: results.refresh_stale(conn))
        figures.append(
            Figure(
                "refresh_s", seconds, "s", f"after that import: {len(periods)} periods recomputed"
            )
        )
        say("  refresh timed")

        if import_rows > 0:
            import fastexcel  # only the large import is compared with a bare parse

            xlsx = execution_xlsx(execution_sheet(conn, rows=import_rows))
            parse_s = min(
                _seconds(lambda: fastexcel.read_excel(xlsx).load_sheet(0).to_arrow())[0]
                for _ in range(2)
            )
            import_s, _ = _seconds(
                lambda: import_files(conn, [("bench.xlsx", xlsx)], user="benchmark")
            )
            xlsx_rows = fastexcel.read_excel(xlsx).load_sheet(0).height
            figures.append(Figure("parse_s", parse_s, "s", f"fastexcel, {xlsx_rows:,} rows"))
            figures.append(Figure("import_s", import_s, "s", "read, checked, written (no refresh)"))
            figures.append(Figure("import_parse_ratio", import_s / parse_s, "×"))
        conn.close()
    figures.append(Figure("process_peak_rss_mib", peak_rss_mib(), "MiB", "this benchmark process"))
    _judge(figures, scale)
    if output == "json":
        print(
            json.dumps(
                {
                    "scale": scale,
                    "machine": machine(),
                    "figures": [{**asdict(f), "met": f.met} for f in figures],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        _print_table(figures, scale)
    return 0


def _judge(figures: list[Figure], scale: str) -> None:
    for figure in figures:
        target = TARGETS.get((figure.name.split(" ")[0], scale))
        if target is not None:
            figure.target, figure.kind = target


def _print_table(figures: list[Figure], scale: str) -> None:
    info = machine()
    print(
        f"machine: {info['platform']}, {info['cpus']} CPUs, {info['memory_gib']} GiB, "
        f"Python {info['python']}, DuckDB {info['duckdb']}"
    )
    for f in figures:
        value = "n/a" if f.value is None else f"{f.value:,.2f}"
        target = "" if f.target is None else f"{'≤' if f.kind == 'max' else '≥'} {f.target:g}"
        mark = {True: "ok", False: "MISSED", None: ""}[f.met]
        print(f"  {f.name:<40} {value:>10} {f.unit:<4} {target:>8} {mark:<7} {f.detail}")
    missed = [f.name for f in figures if f.met is False]
    print(f"targets missed ({scale}): {len(missed)}" + (": " + ", ".join(missed) if missed else ""))
