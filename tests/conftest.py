"""Shared fixtures. `hand_db` is the small district of tests/hand_fixture.py whose every figure
is worked out by hand in that file's docstring."""

from __future__ import annotations

import pytest

from perfbudget import db
from tests.hand_fixture import seed_hand_fixture


@pytest.fixture
def empty_db():
    conn = db.connect()
    yield conn
    conn.close()


@pytest.fixture
def hand_db(empty_db):
    seed_hand_fixture(empty_db)
    return empty_db
