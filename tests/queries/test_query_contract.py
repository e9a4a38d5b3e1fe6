"""Every SQL file in queries/ keeps the contract of style.md: a header with a description,
its params and what it returns; the params it declares are exactly the ones it uses; it
takes the user's scope whenever it reads projects; it is one read-only SELECT."""

from __future__ import annotations

import re

import pytest

from perfbudget import db

NAMES = db.query_names()


def test_there_are_queries():
    assert {"project_execution", "indicator_attainment", "warning_slow_spending"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_header_declares_description_params_and_returns(name):
    query = db.load_query(name)
    assert query.description, f"{name}: no description line"
    header = "\n".join(line for line in query.sql.splitlines() if line.startswith("--"))
    assert "-- params:" in header and "-- returns:" in header


@pytest.mark.parametrize("name", NAMES)
def test_declared_params_are_the_used_params(name):
    query = db.load_query(name)
    assert set(query.params) == query.used_params


@pytest.mark.parametrize("name", NAMES)
def test_queries_reading_projects_take_the_scope(name):
    query = db.load_query(name)
    body = query.sql.lower()
    if re.search(r"\b(from|join)\s+projects\b|scoped_projects", body):
        assert {"scope_departments", "scope_sensitive"} <= set(query.params), name
        assert "scoped_projects(" in body or "$scope_departments" in body


@pytest.mark.parametrize("name", NAMES)
def test_one_read_only_select(name):
    body = "\n".join(
        line for line in db.load_query(name).sql.splitlines() if not line.lstrip().startswith("--")
    ).lower()
    assert body.strip().startswith("with") or body.strip().startswith("select")
    assert not re.search(r"\b(insert|update|delete|drop|create|alter|copy|attach)\b", body)
    assert body.count(";") <= 1


@pytest.mark.parametrize("name", NAMES)
def test_each_query_runs_on_an_empty_database(name, empty_db):
    query = db.load_query(name)
    samples = {"INTEGER": 7, "VARCHAR": None, "BOOLEAN": True, "VARCHAR[]": None}
    params = {
        p: samples[t]
        for p, t in query.params.items()
        if p not in ("scope_departments", "scope_sensitive")
    }
    if "year" in params:
        params["year"] = 2025
    if "limit" in params:
        params["limit"] = 10
    frame = db.run_query(empty_db, name, **params)
    # the columns are the ones the header's `returns:` line declares, in that order
    assert list(frame.columns) == _declared_returns(query.sql), name
    # nothing imported: no row names a project, a department or a batch, and every sum of
    # money or count that a query does return (the overview's one row, the trend's months) is 0
    if {"project_code", "department_code", "batch_id", "followup_id"} & set(frame.columns):
        assert frame.empty, name
    for column in frame.columns:
        if column.endswith(("_yuan", "_count")):
            assert all(v is None or v != v or v == 0 for v in frame[column]), (name, column)


def _declared_returns(sql: str) -> list[str]:
    """The column names in a header's `returns:` lines: what follows their last colon."""
    header = []
    for line in sql.splitlines():
        if not line.startswith("--"):
            break
        header.append(line.removeprefix("--").strip())
    start = next(i for i, line in enumerate(header) if line.startswith("returns:"))
    text = " ".join(header[start:]).rsplit(":", 1)[1]
    return [column.strip() for column in text.split(",")]


def test_run_query_refuses_missing_or_unknown_params(empty_db):
    with pytest.raises(TypeError, match="missing"):
        db.run_query(empty_db, "project_execution", year=2025)
    with pytest.raises(TypeError, match="unexpected"):
        db.run_query(empty_db, "project_execution", year=2025, month=1, colour="red")
