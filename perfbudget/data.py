"""The API the pages use: one cached function per query, same name as the query.

Each function takes the user's Scope; the cache key includes it, so two users with different
scopes never share a result. The dashboard process holds the one read-write connection
(DuckDB allows a single writer per file) and gives each call its own cursor, which is safe
across Streamlit's script threads. Imports go through this process too, then clear the cache.
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from perfbudget import (
    audit,
    budget_review,
    db,
    flags,
    inbox,
    results,
    rules,
    settings_store,
    thresholds,
    users,
    writer,
)
from perfbudget.i18n import t, use_thresholds
from perfbudget.scope import Scope

# how long a page waits for a command-line run that holds the database file (seconds)
DASHBOARD_WAIT_ENV = "PERFBUDGET_DASHBOARD_WAIT"
DASHBOARD_WAIT = 600.0


# Cached figures that are frames: a frame built once, returned as a shallow copy.
_FRAME_CACHES: list = []


def _frames(func):
    """Cache a function that returns a DataFrame for every session (the key includes the
    Scope), keeping the frame itself: st.cache_data would pickle it into the cache and unpickle
    a copy on every hit, a third of a city page's first view (py-spy on the overview: 5 s of
    the 17 s spent in cached calls was pickling) and most of a warm one. A hit is a shallow copy:
    with pandas' copy-on-write, whatever a page does to its copy leaves the cached frame as it
    was. clear_caches() empties these with the rest."""
    cached = st.cache_resource(show_spinner=False)(func)
    _FRAME_CACHES.append(cached)

    @functools.wraps(func)
    def read(*args, **kwargs):
        value = cached(*args, **kwargs)
        if isinstance(value, tuple):  # (frame, count): one page of a large table
            return tuple(v.copy(deep=False) if isinstance(v, pd.DataFrame) else v for v in value)
        return value.copy(deep=False)

    read.clear = cached.clear  # type: ignore[attr-defined]
    return read


@st.cache_resource(show_spinner=False)
def _connection(path: str):
    # Only a fresh checkout, with no database file at all, gets the synthetic demo district
    # (labelled synthetic everywhere, meta.is_synthetic). A bureau's own database that is empty,
    # say after every batch was rolled back, stays empty.
    is_new = path != ":memory:" and not Path(path).exists()
    # a database of an earlier version has its stored figures computed on this first open
    # (perfbudget.results.upgrade): a few seconds for a district, minutes for a city
    with st.spinner("正在打开数据库… / Opening the database…"):
        conn = db.connect(path)
    if is_new:
        from perfbudget.demo import build_demo  # only a new database needs the generator

        with st.spinner("正在生成合成演示数据… / Building the synthetic demo data…"):
            build_demo(conn, refresh=False)  # its stored figures follow, in the background
        _refresh_in_background(conn)
    if path != ":memory:" and os.environ.get("PERFBUDGET_INBOX", "1") != "0":
        # the command line's imports, rollbacks and reports beside the running dashboard
        inbox.start_worker(path, conn, on_write=clear_caches)
    return conn


def _refresh_in_background(conn) -> None:
    """The stale stored results computed after the dashboard has opened, holding the write
    lock (an upload waits for it, saying so). Pages read the queries meanwhile: the same
    figures, slower. On a first run this keeps the demo's ~30 s of results (district, two
    years) from standing between a new user and the first page."""

    def run() -> None:
        try:
            with writer.writing(), conn.cursor() as cur:
                results.refresh_stale(cur)
            clear_caches()
        except Exception:
            logging.getLogger(__name__).exception("storing the demo's results failed")

    thread = threading.Thread(target=run, name="perfbudget-refresh", daemon=True)
    _background.append(thread)
    thread.start()


_background: list[threading.Thread] = []


def join_background(timeout: float | None = None) -> None:
    """Wait for the background refreshes started so far (tests; a clean shutdown)."""
    for thread in list(_background):
        thread.join(timeout)


def cursor():
    return _connection(str(db.app_db_path())).cursor()


def _say(key: str, **values: object) -> str:
    """A message in the language of the sidebar's switch (ui.lang; data cannot import ui)."""
    return t(key, "en" if st.session_state.get("lang_en") else "zh", **values)


def wait_for_database() -> None:
    """Open the dashboard's database before a page asks for figures (app.py). While a
    command-line run holds the file (DuckDB: one process at a time), wait and retry with a
    message instead of a traceback; after the wait, a plain message and the page stops."""
    path = str(db.app_db_path())
    try:
        _connection(path)
        return
    except db.DatabaseBusyError:
        pass
    try:
        limit = float(os.environ.get(DASHBOARD_WAIT_ENV, DASHBOARD_WAIT))
    except ValueError:
        limit = DASHBOARD_WAIT
    box = st.empty()
    started = time.monotonic()
    while True:
        waited = time.monotonic() - started
        if waited >= limit:
            box.error(_say("db_busy_gave_up", seconds=round(waited)), icon=":material/lock:")
            st.stop()
        box.info(_say("db_busy_waiting", seconds=round(waited)), icon=":material/hourglass_top:")
        time.sleep(min(1.0, max(limit - waited, 0.05)))
        try:
            _connection(path)
        except db.DatabaseBusyError:
            continue
        box.empty()
        return


@contextmanager
def _one_writer(progress=None) -> Iterator[None]:
    """Every write of the dashboard holds writer.WRITE_LOCK (with the inbox's jobs): a second
    import waits for the first, with a message, instead of colliding with it in DuckDB."""
    shown = []

    def on_wait() -> None:
        if progress is not None:
            progress(0.0, f"{t('write_queued', 'zh')} | {t('write_queued', 'en')}")
        else:
            shown.append(st.empty())
            shown[-1].info(_say("write_queued"), icon=":material/hourglass_top:")

    with writer.writing(on_wait):
        for box in shown:
            box.empty()
        yield


def _refresh(cur, progress=None) -> None:
    """After a write, while still the one writer: the stored results it marked out of date
    are computed again (perfbudget.results), so the next page reads them instead of
    recomputing. Until then a read of those periods runs the queries: never stale."""

    def report(fraction: float, period: str) -> None:
        if progress is not None:
            progress(
                fraction,
                f"{t('results_refreshing', 'zh', period=period)} | "
                f"{t('results_refreshing', 'en', period=period)}",
            )

    results.refresh_stale(cur, report)


def clear_caches() -> None:
    """After a write (an import): every cached figure may have changed."""
    st.cache_data.clear()
    for cached in _FRAME_CACHES:
        cached.clear()


def _run(name: str, scope: Scope | None, **params) -> pd.DataFrame:
    with cursor() as cur:
        return db.run_query(cur, name, scope, **params)


@st.cache_data(show_spinner=False)
def meta() -> dict[str, str]:
    with cursor() as cur:
        return dict(db.run_live(cur, "database_meta").itertuples(index=False))


def is_synthetic() -> bool:
    return meta().get("is_synthetic") == "true"


@_frames
def available_periods(scope: Scope) -> pd.DataFrame:
    return _run("available_periods", scope)


@_frames
def department_list(year: int, scope: Scope) -> pd.DataFrame:
    return _run("department_list", scope, year=year)


@_frames
def scope_summary(year: int, month: int, scope: Scope) -> pd.DataFrame:
    return _run("scope_summary", scope, year=year, month=month)


@_frames
def project_execution(year: int, month: int, scope: Scope) -> pd.DataFrame:
    return _run("project_execution", scope, year=year, month=month)


@_frames
def department_execution(year: int, month: int, scope: Scope) -> pd.DataFrame:
    return _run("department_execution", scope, year=year, month=month)


@_frames
def district_execution(year: int, month: int, scope: Scope) -> pd.DataFrame:
    return _run("district_execution", scope, year=year, month=month)


@_frames
def execution_trend(
    year: int, month: int, department_code: str | None, scope: Scope
) -> pd.DataFrame:
    return _run("execution_trend", scope, year=year, month=month, department_code=department_code)


@_frames
def project_monthly_curve(year: int, project_code: str, scope: Scope) -> pd.DataFrame:
    return _run("project_monthly_curve", scope, year=year, project_code=project_code)


@_frames
def indicator_attainment(year: int, month: int, scope: Scope) -> pd.DataFrame:
    return _run("indicator_attainment", scope, year=year, month=month)


@_frames
def project_output_progress(year: int, month: int, scope: Scope) -> pd.DataFrame:
    return _run("project_output_progress", scope, year=year, month=month)


@_frames
def project_target_scorecard(year: int, month: int, scope: Scope) -> pd.DataFrame:
    return _run("project_target_scorecard", scope, year=year, month=month)


@_frames
def warning_flags(year: int, month: int, scope: Scope) -> pd.DataFrame:
    with cursor() as cur:
        # the sentences are worded by the table that shows a flag (flags.with_messages)
        return flags.warning_flags(cur, year, month, scope, messages=False)


@st.cache_data(show_spinner=False)
def flag_counts(year: int, month: int, scope: Scope) -> flags.FlagCounts:
    """The month's flags counted once (flags.flag_counts): red and yellow warnings, blue
    notes, data-quality notes, and their total."""
    return flags.flag_counts(warning_flags(year, month, scope))


@_frames
def light_flags(year: int, month: int, scope: Scope) -> pd.DataFrame:
    """The month's red and yellow performance flags, worst first (flags.light_flags): what
    the lights are made of and what the overview's 预警 tile counts."""
    return flags.light_flags(warning_flags(year, month, scope))


@_frames
def scope_lights(year: int, month: int, scope: Scope) -> pd.DataFrame:
    """The light of every project, department and district in scope (flags.scope_lights):
    level, key, light, project_count, red_project_count, yellow_project_count."""
    return flags.scope_lights(
        warning_flags(year, month, scope),
        project_execution(year, month, scope),
        department_execution(year, month, scope),
    )


@st.cache_data(show_spinner=False, ttl=5)
def import_batches(limit: int = 200) -> pd.DataFrame:
    return _run("import_batches", None, limit=limit)


def import_files(
    files: list[tuple[str, bytes]], user: str, progress=None, layout=None, origin: str = "dashboard"
):
    """Import uploaded files through the dashboard's own connection (the single writer),
    then drop every cached figure. Raises importer.ImportRejected with nothing written.
    layout: the layouts chosen, e.g. {(file name, sheet name): "selfeval_table"}."""
    # the importer (its readers: fastexcel, calamine, openpyxl) loads on the first upload,
    # not with every page
    from perfbudget.importer import import_files as run_import

    with _one_writer(progress), cursor() as cur:
        result = run_import(cur, files, user=user, progress=progress, layout=layout, origin=origin)
        _refresh(cur, progress)
    clear_caches()
    return result


@dataclass
class ImportJob:
    """An import running in a thread of its own. Streamlit stops a page's run at its next
    widget call when the user clicks anything; an import on the page's own thread would then
    roll back with no word. Here the click only stops the page from watching: the import goes
    on, and the page (rerun, or opened again) picks the job up from the session."""

    fraction: float = 0.0
    label: str | None = None
    done: threading.Event = field(default_factory=threading.Event)
    result: object = None
    rejected: Exception | None = None  # importer.ImportRejected: nothing written
    failed: bool = False  # anything else: nothing written, the traceback in the server log

    def report(self, fraction: float, label: str | None = None) -> None:
        self.fraction, self.label = fraction, label


def start_import(
    files: list[tuple[str, bytes]], user: str, layout=None, origin: str = "dashboard"
) -> ImportJob:
    """import_files in a background thread; returns at once with the job to watch."""
    # the importer loads on the first upload, not with every page
    from perfbudget.importer import ImportRejected
    from perfbudget.importer import import_files as run_import

    job = ImportJob()
    cur = cursor()  # taken here, in the page's thread, where the cached connection lives

    def run() -> None:
        try:
            with _one_writer(job.report), cur:
                job.result = run_import(
                    cur, files, user=user, progress=job.report, layout=layout, origin=origin
                )
                clear_caches()  # the new rows are read by the queries until stored
                _refresh(cur, job.report)
            clear_caches()
        except ImportRejected as refused:
            job.rejected = refused
        except Exception:
            logging.getLogger(__name__).exception("import failed")
            job.failed = True
        finally:
            job.done.set()

    threading.Thread(target=run, name="perfbudget-import", daemon=True).start()
    return job


def preview_files(files: list[tuple[str, bytes]], layout=None, progress=None):
    """What importing these files would do (importer.preview_files), nothing written; project
    codes are checked against the dashboard's database, read only."""
    from perfbudget.importer import preview_files as run_preview  # on the first upload only

    with cursor() as cur:
        return run_preview(files, cur, layout=layout, progress=progress)


def preview_problems(preview, asked: set) -> list:
    """The issues of one file's preview (importer.FilePreview) that stop its import, leaving
    out the question the page asks: the importer refuses a sheet whose layout is ambiguous
    with one issue of the whole sheet (no row, no column) and reads nothing else of it, so
    for a sheet in `asked` ({(file name, sheet name)}) that issue is the layout to choose."""
    return [
        i
        for i in preview.issues
        if not ((i.file, i.sheet) in asked and i.row is None and i.column is None)
    ]


def rollback_batch(batch_id: int, user: str, origin: str = "dashboard"):
    """Take an import batch back (importer.rollback_batch; raises RollbackRefused with
    nothing changed), then drop every cached figure."""
    from perfbudget.importer import rollback_batch as run_rollback  # the importer: on use only

    with _one_writer(), cursor() as cur:
        result = run_rollback(cur, batch_id, user, origin=origin)
        _refresh(cur)
    clear_caches()
    return result


def restore_batch(batch_id: int, user: str, origin: str = "dashboard"):
    """Undo the rollback of an import batch (importer.restore_batch; raises RestoreRefused
    with nothing changed), then drop every cached figure."""
    from perfbudget.importer import restore_batch as run_restore  # the importer: on use only

    with _one_writer(), cursor() as cur:
        result = run_restore(cur, batch_id, user, origin=origin)
        _refresh(cur)
    clear_caches()
    return result


@_frames
def batch_changes(batch_id: int) -> pd.DataFrame:
    """What a batch replaced: table, key, column, old_value, new_value, change."""
    from perfbudget.importer import batch_changes as changes  # the importer: on use only

    with cursor() as cur:
        return changes(cur, batch_id)


@_frames
def batch_selfeval(batch_id: int, scope: Scope) -> pd.DataFrame:
    return _run("batch_selfeval", scope, batch_id=batch_id)


# --- dual monitoring, project page, evaluation, forecast, league, settings ----------------


@_frames
def project_dual_monitoring(year: int, month: int, scope: Scope) -> pd.DataFrame:
    return _run("project_dual_monitoring", scope, year=year, month=month)


@_frames
def project_selfeval(year: int, scope: Scope) -> pd.DataFrame:
    return _run("project_selfeval", scope, year=year)


@_frames
def project_budget_review(year: int, scope: Scope) -> pd.DataFrame:
    return _run("project_budget_review", scope, year=year)


@_frames
def rectification_items(year: int, month: int, scope: Scope) -> pd.DataFrame:
    return _run("rectification_items", scope, year=year, month=month)


@_frames
def department_rectification(year: int, month: int, scope: Scope) -> pd.DataFrame:
    return _run("department_rectification", scope, year=year, month=month)


# The statuses of a rectification item at a month (rectification_items.sql), worst first, and
# the light each shows in the tracker's table.
RECTIFICATION_LIGHTS: dict[str, str] = {
    "overdue": "red",
    "open": "yellow",
    "done_late": "yellow",
    "done": "green",
}


@dataclass(frozen=True)
class RectificationSummary:
    """The rectification tracker's tiles: items per status (every status of
    RECTIFICATION_LIGHTS), and how far the overdue ones are past their due date."""

    counts: dict[str, int]
    overdue: int
    max_days_overdue: int | None


def rectification_summary(year: int, month: int, scope: Scope) -> RectificationSummary:
    items = rectification_items(year, month, scope)
    counts = items["status"].value_counts()
    overdue = items[items["status"] == "overdue"]
    return RectificationSummary(
        counts={status: int(counts.get(status, 0)) for status in RECTIFICATION_LIGHTS},
        overdue=len(overdue),
        max_days_overdue=None if overdue.empty else int(overdue["days_overdue"].max()),
    )


@_frames
def department_disclosure(year: int, scope: Scope) -> pd.DataFrame:
    return _run("department_disclosure", scope, year=year)


@_frames
def warning_disclosure_gap(year: int, scope: Scope) -> pd.DataFrame:
    return _run("warning_disclosure_gap", scope, year=year)


@_frames
def pefa_scores(level: str, year: int, scope: Scope) -> pd.DataFrame:
    """PEFA PI-1 and PI-2 of each head of `level` ('city', 'district', 'department') over the
    last three completed years up to `year` (queries/pefa_scores.sql)."""
    return _run("pefa_scores", scope, level=level, year=year)


@_frames
def pefa_composition(level: str, year: int, scope: Scope) -> pd.DataFrame:
    """The PI-2 calculation of each head: its sub-heads' b_i, a_i, k·b_i, |a_i − k·b_i|
    (queries/pefa_composition.sql)."""
    return _run("pefa_composition", scope, level=level, year=year)


def pefa_levels(year: int, scope: Scope) -> tuple[str, str]:
    """The 财政可靠性 page's (whole, heads): with several districts in the data the city over its
    districts, else the district over its departments."""
    several = pefa_scores("district", year, scope)["code"].nunique() > 1
    return ("city", "district") if several else ("district", "department")


@dataclass(frozen=True)
class DisclosureSummary:
    """The disclosure page's tiles (信息公开), from department_disclosure and the
    disclosure_gap rule: sensitive projects are never disclosed and left out of every figure."""

    departments_below: int  # departments whose disclosed share is under min_coverage
    large_undisclosed: pd.DataFrame  # projects of min_budget_yuan or more with targets undisclosed
    coverage: object  # Σ disclosed ÷ Σ budget over all departments (exact); None without budget
    sensitive_projects: int  # left out: how many, in how many departments
    sensitive_departments: int


def disclosure_summary(year: int, month: int, scope: Scope) -> DisclosureSummary:
    departments = department_disclosure(year, scope)
    gaps = warning_disclosure_gap(year, scope)
    projects = project_execution(year, month, scope)
    sensitive = projects[projects["is_sensitive"].astype(bool)]
    zero = Decimal(0)
    total = sum((v for v in departments["total_budget_yuan"] if v is not None), start=zero)
    disclosed = sum((v for v in departments["disclosed_budget_yuan"] if v is not None), start=zero)
    return DisclosureSummary(
        departments_below=int((~departments["meets_coverage"].astype(bool)).sum()),
        large_undisclosed=gaps[gaps["sub_rules"] == "project_not_disclosed"].reset_index(drop=True),
        coverage=disclosed / total if total else None,
        sensitive_projects=len(sensitive),
        sensitive_departments=int(sensitive["department_code"].nunique()),
    )


@_frames
def department_league(year: int, month: int, scope: Scope) -> pd.DataFrame:
    return _run("department_league", scope, year=year, month=month)


def department_league_ranked(year: int, month: int, scope: Scope) -> pd.DataFrame:
    """The league rows of the scope's departments, ranked among every department the user may
    know of (every department; sensitive projects only with that right): a department user
    sees their own rank and score, never another department's row. Column ranked_among: how
    many departments the rank is out of."""
    if scope.departments is None:
        league = department_league(year, month, scope)
        return league.assign(ranked_among=len(league))
    wide = department_league(year, month, Scope(include_sensitive=scope.include_sensitive))
    mine = wide[wide["department_code"].isin(scope.departments)].reset_index(drop=True)
    return mine.assign(ranked_among=len(wide))


@_frames
def department_league_trend(year: int, month: int, scope: Scope) -> pd.DataFrame:
    """department_league at the end of each month 1..month, one frame with a `month` column:
    the stored months in one read, else the query month by month."""
    with cursor() as cur:
        stored = results.read_months(cur, "department_league", scope, year, month)
    if stored is not None:
        return stored
    frames = [department_league(year, m, scope).assign(month=m) for m in range(1, month + 1)]
    frames = [f for f in frames if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# The parts of the league score, each with its weight threshold (rule 'league'): the part's
# column of department_league is `<part>_part`.
LEAGUE_PARTS: dict[str, str] = {
    name.removeprefix("weight_"): name for name in settings_store.WEIGHT_GROUPS["league"]
}


def league_weights() -> dict[str, float]:
    """The weight of each part of the league score as stored, {part: weight}, in LEAGUE_PARTS'
    order."""
    return {part: float(threshold("league", name)) for part, name in LEAGUE_PARTS.items()}


def save_league_weights(
    weights: dict[str, object], *, user: str = "local", origin: str = "dashboard"
) -> int:
    """New weights of the league's parts ({part: weight}; save_thresholds: validated, all or
    nothing, raises SettingsRejected; audited as `user`)."""
    return save_thresholds(
        {("league", LEAGUE_PARTS[part]): value for part, value in weights.items()},
        user=user,
        origin=origin,
    )


@_frames
def project_forecast(year: int, month: int, scope: Scope) -> pd.DataFrame:
    return _run("project_forecast", scope, year=year, month=month)


@dataclass(frozen=True)
class ForecastSummary:
    """The forecast page's tiles: the flagged projects, and how many projects were forecast
    from their unit's curve, from the district's, or not at all (no history)."""

    flagged: pd.DataFrame  # project_forecast rows with is_flagged
    by_unit: int
    by_district: int
    without: int


def forecast_summary(year: int, month: int, scope: Scope) -> ForecastSummary:
    forecast = project_forecast(year, month, scope)
    has_forecast = forecast["forecast_spend_yuan"].notna()
    sources = forecast.loc[has_forecast, "curve_source"].value_counts()
    return ForecastSummary(
        flagged=forecast[forecast["is_flagged"].astype(bool)],
        by_unit=int(sources.get("unit", 0)),
        by_district=int(sources.get("district", 0)),
        without=int((~has_forecast).sum()),
    )


@_frames
def project_forecast_shares(year: int, project_code: str, scope: Scope) -> pd.DataFrame:
    """The typical cumulative share s(m) behind one project's forecast for every month 1..12
    (project_forecast run month by month): month, typical_share, curve_source, curve_years."""
    columns = ["month", "typical_share", "curve_source", "curve_years"]
    # the months with data are stored: one read; the months after them (the curve goes on to
    # December) are computed
    with cursor() as cur:
        through = results.stored_through(cur, year)
        stored = results.read_months(cur, "project_forecast", scope, year, through, project_code)
    rows = []
    if stored is not None:
        mine = stored.loc[stored["project_code"] == project_code, columns]
        rows = mine.to_dict("records")
    for m in range(through + 1 if stored is not None else 1, 13):
        forecast = project_forecast(year, m, scope)
        row = forecast[forecast["project_code"] == project_code]
        if not row.empty:
            rows.append(
                {"month": m, **row.iloc[0][["typical_share", "curve_source", "curve_years"]]}
            )
    return pd.DataFrame(rows, columns=["month", "typical_share", "curve_source", "curve_years"])


@_frames
def project_costs(year: int, scope: Scope) -> pd.DataFrame:
    return _run("project_costs", scope, year=year)


# Cost benchmarking (docs/figures.md#cost-benchmarking): the groups a class's median is shown by
COST_GROUPS = ("unit", "department", "district")


@_frames
def cost_class_summary(year: int) -> pd.DataFrame:
    """Every class and output unit of the year (over every project: a benchmark does not move
    with the user), the classes with most peers first."""
    frame = _run("cost_class_summary", None, year=year)
    return frame.sort_values(
        ["project_count", "service_class", "output_unit"],
        ascending=[False, True, True],
        kind="stable",
    ).reset_index(drop=True)


@_frames
def cost_class_projects(
    year: int, scope: Scope, service_class: str, output_unit: str
) -> pd.DataFrame:
    """The projects of one class in scope (queries/project_cost_benchmark.sql): the peers of
    its output unit, and those left out with their reason (another unit: other_unit)."""
    return _run(
        "project_cost_benchmark",
        scope,
        year=year,
        service_class=service_class,
        output_unit=output_unit,
    )


@_frames
def cost_group_medians(
    year: int, scope: Scope, service_class: str, output_unit: str, group_by: str
) -> pd.DataFrame:
    """The class median per budget unit, department or district (COST_GROUPS), this year and
    the previous year."""
    if group_by not in COST_GROUPS:
        raise ValueError(f"group_by must be one of {COST_GROUPS}, not {group_by!r}")
    return _run(
        "cost_group_medians",
        scope,
        year=year,
        service_class=service_class,
        output_unit=output_unit,
        group_by=group_by,
    )


# --- budget request review (docs/figures.md#budget-request-review) ---------------------------


@st.cache_data(show_spinner=False)
def budget_request_years() -> list[int]:
    """The requested years with budget requests, latest first."""
    return [int(y) for y in _run("budget_request_years", None)["year"]]


@_frames
def budget_request_review(year: int, scope: Scope) -> pd.DataFrame:
    """The requests of the requested year in scope with their caps, suggested amount and
    reasons (perfbudget.budget_review.review)."""
    with cursor() as cur:
        return budget_review.review(cur, year, scope)


def budget_request_totals(review: pd.DataFrame) -> pd.DataFrame:
    """Per department of a review: requests, Σ requested, Σ suggested, the difference."""
    return budget_review.department_totals(review)


def budget_review_xlsx(review: pd.DataFrame, year: int, scope: Scope, lang: str = "zh") -> bytes:
    """The review and its department totals as a formatted workbook to send back to the
    departments (perfbudget.export.tables.budget_review_xlsx), in the page's language."""
    # openpyxl: loaded only when a file is made
    from perfbudget.export.tables import budget_review_xlsx

    label = (
        t("breq_xlsx_scope_all", lang)
        if scope.departments is None
        else t("breq_xlsx_scope_departments", lang, departments="、".join(scope.departments))
    )
    label += t("breq_xlsx_internal" if scope.include_sensitive else "breq_xlsx_public", lang)
    totals = budget_review.department_totals(review)
    return budget_review_xlsx(review, totals, year, label, lang)


@_frames
def flag_followups(year: int, scope: Scope) -> pd.DataFrame:
    return _run("flag_followups", scope, year=year)


@_frames
def flag_persistence(
    year: int, month: int, scope: Scope, project_codes: tuple[str, ...] | None = None
) -> pd.DataFrame:
    """Since which month each flag raised at `month` has been raised without a break
    (flags.persistence: earlier months are read only while some flag's run is unbroken, and
    only for the rules still running). project_codes: only those projects' flags ('' for a
    department's own) where the flags are stored — a table's page, not a city's 50,000."""
    with cursor() as cur:
        stored = results.flag_since(
            cur,
            scope,
            year,
            month,
            {r.rule_id: r.query for r in flags.RULES},
            None if project_codes is None else list(project_codes),
        )
    if stored is not None:  # one statement over the stored flags of the year
        return stored
    return flags.persistence(
        warning_flags(year, month, scope),
        month,
        lambda m, rules: flag_keys(year, m, rules, scope),
    )


@_frames
def flag_keys(year: int, month: int, rules: tuple[str, ...], scope: Scope) -> pd.DataFrame:
    with cursor() as cur:
        return flags.flag_keys(cur, year, month, scope, rules)


def record_followup(
    *,
    year: int,
    project_code: str | None,
    department_code: str,
    rule_id: str,
    as_of_month: int,
    status: str,
    note: str | None,
    user: str,
    origin: str = "dashboard",
) -> None:
    """A leader's 已关注 / 已处理 on a flag (flags.record_followup), then the follow-up history
    is read afresh (no figure changes, so the other caches stay)."""
    with _one_writer(), cursor() as cur:
        flags.record_followup(
            cur,
            year=year,
            project_code=project_code,
            department_code=department_code,
            rule_id=rule_id,
            as_of_month=as_of_month,
            status=status,
            note=note,
            user=user,
            origin=origin,
        )
    flag_followups.clear()


def with_followup(flag_rows: pd.DataFrame, year: int, month: int, scope: Scope) -> pd.DataFrame:
    """These rows of warning_flags with since_month, months_flagged and followup_status
    (flags.with_followup over flag_persistence and flag_followups)."""
    # a page of a table asks for its own projects' runs; an export of every flag for all
    codes = (
        tuple(sorted(set(flag_rows["project_code"].fillna("").astype(str))))
        if len(flag_rows) <= FLAG_ROWS_ASKED_BY_PROJECT
        else None
    )
    return flags.with_followup(
        flag_rows, flag_persistence(year, month, scope, codes), flag_followups(year, scope)
    )


# Up to this many flags, with_followup reads the runs of their projects only (a page of the
# warnings table); more, every flag's (the workbook of all of them).
FLAG_ROWS_ASKED_BY_PROJECT = 1_000


def followup_history(flag: pd.Series, year: int, scope: Scope) -> pd.DataFrame:
    """The follow-ups of one flag (a row of warning_flags), newest first."""
    return flags.followups_of(flag_followups(year, scope), flag)


@dataclass(frozen=True)
class ProjectDetail:
    """One project's rows of the district-wide figures, for the project page."""

    review: pd.DataFrame  # project_budget_review: a row when it is marked for budget review
    dual: pd.DataFrame  # project_dual_monitoring
    flags: pd.DataFrame  # warning_flags at the month
    followups: pd.DataFrame  # flag_followups of the year, every flag of the project
    indicators: pd.DataFrame  # indicator_attainment
    selfeval: pd.DataFrame  # project_selfeval
    rectification: pd.DataFrame  # rectification_items at the month
    costs: pd.DataFrame  # project_costs: one row per cost item

    def flag_severity(self, rule: str) -> str | None:
        """The severity of the project's flag of a rule, None when it has none."""
        severity = self.flags.loc[self.flags["rule"] == rule, "severity"]
        return None if severity.empty else str(severity.iloc[0])


# --- one page of a large table, read on the server ---------------------------------------

# The tables a page reads a window of (results.read_window): a city has 480,000 indicators;
# a page shows 500 of them, sorted and filtered in the database.
WINDOWED = results.WINDOWED
Where = tuple[tuple[str, tuple[object, ...]], ...]  # ((column, values), …): hashable for the cache


@_frames
def table_window(
    query: str,
    year: int,
    month: int,
    scope: Scope,
    where: Where = (),
    order: tuple[str, bool] | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[pd.DataFrame, int]:
    """Rows offset…offset+limit of `query` (one of WINDOWED) whose columns hold one of the
    values in `where`, sorted by (column, descending) with ties in the query's order, and how
    many rows match: from the stored rows, or the query's own when the period is not stored."""
    if query not in WINDOWED:
        raise ValueError(f"{query} is not read in windows")
    chosen = {column: list(values) for column, values in where}
    with cursor() as cur:
        page = results.read_window(cur, query, scope, year, month, chosen, order, offset, limit)
        if page is not None:
            return page
        rows = db.run_query(cur, query, scope, year=year, month=month)
    return results.window(rows, chosen, order, offset, limit)


@_frames
def table_choices(
    query: str, year: int, month: int, scope: Scope, columns: tuple[str, ...], where: Where = ()
) -> pd.DataFrame:
    """The distinct `columns` of the rows table_window would match, in their first row's
    order: a filter's choices."""
    if query not in WINDOWED:
        raise ValueError(f"{query} is not read in windows")
    chosen = {column: list(values) for column, values in where}
    with cursor() as cur:
        found = results.read_distinct(cur, query, scope, year, month, list(columns), chosen)
        if found is not None:
            return found
        rows = db.run_query(cur, query, scope, year=year, month=month)
    matched, _ = results.window(rows, chosen)
    return matched[list(columns)].drop_duplicates().reset_index(drop=True)


def project_detail(year: int, month: int, project_code: str, scope: Scope) -> ProjectDetail:
    def mine(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["project_code"] == project_code].reset_index(drop=True)

    return ProjectDetail(
        review=mine(project_budget_review(year, scope)),
        dual=mine(project_dual_monitoring(year, month, scope)),
        flags=mine(warning_flags(year, month, scope)),
        followups=mine(flag_followups(year, scope)),
        # the project's own indicators, not the city's 480,000 filtered in Python
        indicators=table_window(
            "indicator_attainment", year, month, scope, (("project_code", (project_code,)),)
        )[0],
        selfeval=mine(project_selfeval(year, scope)),
        rectification=mine(rectification_items(year, month, scope)),
        costs=mine(project_costs(year, scope)),
    )


@_frames
def rule_thresholds() -> pd.DataFrame:
    return _run("rule_thresholds", None)


def threshold(rule_id: str, name: str):
    """One threshold as stored (what the queries judge by), or its default
    (rules.default_threshold) while the database holds none."""
    table = rule_thresholds()
    value = table.loc[(table["rule_id"] == rule_id) & (table["name"] == name), "value"]
    return rules.default_threshold(rule_id, name) if value.empty else value.iloc[0]


@_frames
def app_settings() -> pd.DataFrame:
    return _run("app_settings", None)


def save_thresholds(
    changes: dict[tuple[str, str], object], *, user: str = "local", origin: str = "dashboard"
) -> int:
    """Validated threshold changes (settings_store.save_thresholds; raises SettingsRejected
    with nothing written; audited as `user`), then every cached figure is dropped."""
    with _one_writer(), cursor() as cur:
        changed = settings_store.save_thresholds(cur, changes, user=user, origin=origin)
        _refresh(cur)
    clear_caches()
    return changed


def save_settings(
    changes: dict[str, str], *, user: str = "local", origin: str = "dashboard"
) -> int:
    with _one_writer(), cursor() as cur:
        changed = settings_store.save_settings(cur, changes, user=user, origin=origin)
        _refresh(cur)
    clear_caches()
    return changed


def reset_settings(*, user: str = "local", origin: str = "dashboard") -> None:
    """Every threshold and setting back to the defaults of perfbudget.rules (audited as
    `user`)."""
    with _one_writer(), cursor() as cur:
        settings_store.reset_defaults(cur, user=user, origin=origin)
        _refresh(cur)
    clear_caches()


def threshold_values() -> dict[tuple[str, str], object]:
    """Every stored threshold by (rule_id, name) (rule_thresholds, cached), while a page runs.
    Outside a page run (a test or script that imported this module and then words a text)
    nothing: the texts state the defaults rather than open the dashboard's database."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return {}
    table = rule_thresholds()
    return dict(zip(zip(table["rule_id"], table["name"], strict=True), table["value"], strict=True))


# The texts that state a threshold (perfbudget.i18n "{limit.…}") state the stored one.
use_thresholds(threshold_values)
# The threshold registry (kind, unit, limits, step, labels) and its groups' order, for the
# settings page.
THRESHOLD_SPECS = thresholds.BY_KEY
THRESHOLD_GROUP_ORDER = thresholds.GROUP_ORDER


# --- the briefing (简报) ---------------------------------------------------------------


def _kept(func):
    """Cache an object that is only read (the briefing model) for every session, as it is:
    rebuilt when a write clears the caches, not on each rerun of its page (at city scale the
    model takes seconds: it words every flag for the workbook)."""
    cached = st.cache_resource(show_spinner=False)(func)
    _FRAME_CACHES.append(cached)
    return cached


@_kept
def briefing(
    year: int,
    month: int,
    department_code: str | None,
    public: bool,
    sections: tuple[str, ...],
    scope: Scope,
    lang: str = "zh",
):
    """The briefing model (perfbudget.export.briefing) of a district or one department, in
    the page's language; a public one is built without sensitive projects whatever the scope.
    Raises BriefingError when the scope has no data (not cached: the next rerun asks again)."""
    from perfbudget.export.briefing import build_briefing  # the briefing page's modules: there only

    with cursor() as cur:
        return build_briefing(
            cur,
            year,
            month,
            department_code,
            public=public,
            sections=sections,
            base_scope=scope,
            lang=lang,
        )


@st.cache_data(show_spinner=False)
def briefing_default_sections(year: int) -> list[str]:
    """The briefing's sections picked by default for a year: all, the cost analysis only when
    the year has cost data (perfbudget.export.briefing.default_sections)."""
    # the briefing's modules (python-pptx, the charts' images) load on the briefing page only
    from perfbudget.export.briefing import default_sections

    with cursor() as cur:
        return default_sections(cur, year)


# --- who signs in, and what was done (perfbudget.users, perfbudget.audit) -----------------
# Not cached: a user added, disabled or given another role on the command line counts at the
# next click, and each is one small read through the dashboard's own connection.


def users_configured() -> bool:
    """Whether the users table has anyone: then every page asks for a sign-in."""
    with cursor() as cur:
        return users.users_configured(cur)


def authenticate(name: str, password: str) -> users.User | None:
    """The user of this name and password (slow-hashed, perfbudget.users), else None."""
    with cursor() as cur:
        return users.authenticate(cur, name, password)


def find_user(name: str) -> users.User | None:
    with cursor() as cur:
        return users.find_user(cur, name)


def record_audit(user: str, action: str, detail: str, origin: str = "") -> None:
    """One row of the audit log (a sign-in, a download), committed at once."""
    with cursor() as cur:
        audit.record(cur, user=user, action=action, detail=detail, origin=origin)


AUDIT_ACTIONS = audit.ACTIONS


def audit_log(since=None, until=None, user: str | None = None, action: str | None = None):
    """The audit log, newest first (at, user, action, detail, origin), filtered."""
    with cursor() as cur:
        return audit.read(cur, since=since, until=until, user=user, action=action)


def audit_xlsx(frame: pd.DataFrame, filters: str) -> bytes:
    """Rows of the audit log as a workbook (the admins' page's download)."""
    # openpyxl: loaded only when a file is made
    from perfbudget.export.xlsx import Column, Sheet, sheets_to_xlsx

    headers = {"at": "时间", "user": "用户", "action": "操作", "detail": "内容", "origin": "来源"}
    columns = [Column(c, headers.get(c, c), "text") for c in audit.COLUMNS]
    out = frame.reindex(columns=list(audit.COLUMNS)).astype(object)
    out["at"] = [str(v) for v in out["at"]]
    sheet = Sheet("审计日志", out, columns, title="审计日志")
    cover = ["审计日志", f"筛选：{filters}", f"{len(out)} 条记录"]
    return sheets_to_xlsx([sheet], cover=cover, marking="内部")


# --- names the pages take from the layers below ---------------------------------------------
# Pages import perfbudget.ui and perfbudget.data only (import-linter's contract, pyproject):
# what else they need (an exception to catch, the choices of a setting, the importer's kinds
# and templates, the briefing's sections) is passed on here. The importer's and the
# briefing's names are looked up on first use, so that a page that neither imports nor
# briefs loads neither the spreadsheet readers nor python-pptx.
SettingsRejected = settings_store.SettingsRejected
SETTING_CHOICES = settings_store.SETTING_CHOICES

_PASSED_ON = {
    "RECORD_KINDS": ("perfbudget.importer", "RECORD_KINDS"),
    "TABLE_KINDS": ("perfbudget.importer", "TABLE_KINDS"),
    "TABLE_RECORDS": ("perfbudget.importer", "TABLE_RECORDS"),
    "RollbackRefused": ("perfbudget.importer", "RollbackRefused"),
    "counts_text": ("perfbudget.importer", "counts_text"),
    "kind_name": ("perfbudget.importer", "kind_name"),
    "template_csv_bytes": ("perfbudget.importer", "template_csv_bytes"),
    "template_workbook_bytes": ("perfbudget.importer", "template_workbook_bytes"),
    "BRIEFING_SECTIONS": ("perfbudget.export.briefing", "SECTIONS"),
    "BriefingError": ("perfbudget.export.briefing", "BriefingError"),
}


def __getattr__(name: str) -> object:
    """A name of _PASSED_ON, from its module (imported now, once)."""
    if name not in _PASSED_ON:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module, attribute = _PASSED_ON[name]
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value  # the next lookup is an ordinary attribute
    return value


def pdf_available() -> bool:
    """Whether the briefing can be had as PDF (LibreOffice found)."""
    # the briefing page's check: LibreOffice is looked for there only
    from perfbudget.export import pdf

    return pdf.available()
