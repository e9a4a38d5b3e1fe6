"""The API the pages use: one cached function per query, same name as the query.

Each function takes the user's Scope; the cache key includes it, so two users with different
scopes never share a result. The dashboard process holds the one read-write connection
(DuckDB allows a single writer per file) and gives each call its own cursor, which is safe
across Streamlit's script threads. Imports go through this process too, then clear the cache.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from perfbudget import db, flags
from perfbudget.scope import Scope


@st.cache_resource(show_spinner=False)
def _connection(path: str):
    conn = db.connect(path)
    if conn.execute("select count(*) from projects").fetchall()[0][0] == 0:
        # A fresh checkout: build the synthetic demo district so the dashboard has something
        # to show. It is labelled synthetic everywhere (meta.is_synthetic).
        from perfbudget.demo import build_demo

        build_demo(conn)
    return conn


def cursor():
    return _connection(str(db.app_db_path())).cursor()


def clear_caches() -> None:
    """After a write (an import): every cached figure may have changed."""
    st.cache_data.clear()


def _run(name: str, scope: Scope | None, **params) -> pd.DataFrame:
    with cursor() as cur:
        return db.run_query(cur, name, scope, **params)


@st.cache_data(show_spinner=False)
def meta() -> dict[str, str]:
    with cursor() as cur:
        return dict(cur.execute("select key, value from meta").fetchall())


def is_synthetic() -> bool:
    return meta().get("is_synthetic") == "true"


@st.cache_data(show_spinner=False)
def available_periods(scope: Scope) -> pd.DataFrame:
    return _run("available_periods", scope)


@st.cache_data(show_spinner=False)
def department_list(year: int, scope: Scope) -> pd.DataFrame:
    return _run("department_list", scope, year=year)


@st.cache_data(show_spinner=False)
def scope_summary(year: int, month: int, scope: Scope) -> pd.DataFrame:
    return _run("scope_summary", scope, year=year, month=month)


@st.cache_data(show_spinner=False)
def project_execution(year: int, month: int, scope: Scope) -> pd.DataFrame:
    return _run("project_execution", scope, year=year, month=month)


@st.cache_data(show_spinner=False)
def department_execution(year: int, month: int, scope: Scope) -> pd.DataFrame:
    return _run("department_execution", scope, year=year, month=month)


@st.cache_data(show_spinner=False)
def district_execution(year: int, month: int, scope: Scope) -> pd.DataFrame:
    return _run("district_execution", scope, year=year, month=month)


@st.cache_data(show_spinner=False)
def execution_trend(year: int, month: int, department_code: str | None, scope: Scope) -> pd.DataFrame:
    return _run("execution_trend", scope, year=year, month=month, department_code=department_code)


@st.cache_data(show_spinner=False)
def project_monthly_curve(year: int, project_code: str, scope: Scope) -> pd.DataFrame:
    return _run("project_monthly_curve", scope, year=year, project_code=project_code)


@st.cache_data(show_spinner=False)
def indicator_attainment(year: int, month: int, scope: Scope) -> pd.DataFrame:
    return _run("indicator_attainment", scope, year=year, month=month)


@st.cache_data(show_spinner=False)
def project_output_progress(year: int, month: int, scope: Scope) -> pd.DataFrame:
    return _run("project_output_progress", scope, year=year, month=month)


@st.cache_data(show_spinner=False)
def project_target_scorecard(year: int, month: int, scope: Scope) -> pd.DataFrame:
    return _run("project_target_scorecard", scope, year=year, month=month)


@st.cache_data(show_spinner=False)
def warning_flags(year: int, month: int, scope: Scope) -> pd.DataFrame:
    with cursor() as cur:
        return flags.warning_flags(cur, year, month, scope)


@st.cache_data(show_spinner=False, ttl=5)
def import_batches(limit: int = 200) -> pd.DataFrame:
    return _run("import_batches", None, limit=limit)


def import_files(files: list[tuple[str, bytes]], user: str, progress=None):
    """Import uploaded files through the dashboard's own connection (the single writer),
    then drop every cached figure. Raises importer.ImportRejected with nothing written."""
    from perfbudget.importer import import_files as run_import

    with cursor() as cur:
        result = run_import(cur, files, user=user, progress=progress)
    clear_caches()
    return result


@st.cache_data(show_spinner=False)
def execution_pace_lights(year: int, month: int, scope: Scope) -> pd.DataFrame:
    return _run("execution_pace_lights", scope, year=year, month=month)
