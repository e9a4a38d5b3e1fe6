"""Stored results (perfbudget.results): computed once when the data changes, read by every
page, export and report, and always exactly what the queries in queries/ give.

The hand fixture (tests/hand_fixture.py) has spending to July 2025, so its periods are
2025-01 … 2025-07 and the year's whole-year results (month 0)."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from perfbudget import db, results, settings_store
from perfbudget.importer import import_files, rollback_batch
from perfbudget.scope import Scope
from tests.hand_fixture import seed_hand_fixture
from tests.import_helpers import csv_bytes

YEAR = 2025
SCOPES = {
    "everything": Scope.everything(),
    "public": Scope.public(),
    "D01": Scope(departments=("D01",)),
    "D02 without sensitive": Scope(departments=("D02", "D03"), include_sensitive=False),
}


@pytest.fixture
def hand():
    conn = db.connect()
    seed_hand_fixture(conn)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def stored_hand():
    """The hand fixture with every period stored, for the tests that only read it."""
    conn = db.connect()
    seed_hand_fixture(conn)
    written = results.refresh_all(conn)
    yield conn, written
    conn.close()


def _params(query: str, month: int) -> dict[str, int]:
    wanted = {"year": YEAR, "month": month}
    return {k: v for k, v in wanted.items() if k in db.load_query(query).params}


def _assert_same(conn: duckdb.DuckDBPyConnection, query: str, month: int, scope: Scope) -> None:
    stored = results.read(conn, query, scope, YEAR, month)
    assert stored is not None, f"{query} {YEAR}-{month} not stored"
    live = db.run_live(conn, query, scope, **_params(query, month))
    pd.testing.assert_frame_equal(stored, live, check_dtype=False)


def _refreshed_at(conn: duckdb.DuckDBPyConnection) -> dict[tuple[int, int], object]:
    rows = conn.execute("select year, month, refreshed_at from results_periods").fetchall()
    return {(y, m): at for y, m, at in rows}


def test_the_hand_fixture_has_seven_months_and_its_year():
    conn = db.connect()
    seed_hand_fixture(conn)
    assert results.data_periods(conn) == [(YEAR, m) for m in range(1, 8)]
    assert results.stale_periods(conn) == []  # seeded by hand: nothing marked, all computed live
    assert results.read(conn, "project_execution", None, YEAR, 7) is None


def test_the_refresh_gives_exactly_what_the_queries_give_for_every_month_rule_and_scope(
    stored_hand,
):
    hand, written = stored_hand
    assert written == [(YEAR, 0)] + [(YEAR, m) for m in range(1, 8)]
    for query in results.STORED:
        period, grain = results.GRAIN[query]
        for month in range(1, 8) if period == "month" else [0]:
            # every scope at July, where most figures are checked by hand; two elsewhere
            scopes = SCOPES.values() if month in (0, 7) else (Scope.everything(), SCOPES["D01"])
            for scope in scopes:
                if grain == results.WHOLE and scope.departments is not None:
                    continue  # run by the query for such a user (the next test)
                _assert_same(hand, query, month, scope)


def test_district_totals_are_read_stored_only_by_a_user_who_sees_every_department(stored_hand):
    hand, _ = stored_hand
    assert results.read(hand, "scope_summary", Scope.public(), YEAR, 7) is not None
    assert results.read(hand, "district_execution", Scope(departments=("D01",)), YEAR, 7) is None


def test_a_league_of_some_departments_is_ranked_among_them(stored_hand):
    hand, _ = stored_hand
    two = Scope(departments=("D02", "D03"))
    stored = results.read(hand, "department_league", two, YEAR, 7)
    live = db.run_live(hand, "department_league", two, year=YEAR, month=7)
    assert list(stored["rank"]) == list(live["rank"]) and stored["rank"].min() == 1


def test_every_rule_of_the_warning_list_is_stored():
    from perfbudget.flags import RULES

    assert {r.query for r in RULES} <= set(results.STORED)


def test_run_query_reads_the_stored_rows_once_stored(hand):
    results.refresh_all(hand)
    # a stored row changed by hand is what run_query returns: it reads, it does not recompute
    hand.execute(
        "update results_project_execution set project_name = '存储的名称'"
        " where year = 2025 and month = 7 and project_code = 'P001'"
    )
    frame = db.run_query(hand, "project_execution", None, year=YEAR, month=7)
    assert frame.set_index("project_code").loc["P001", "project_name"] == "存储的名称"
    # a month past the data is not stored: computed by the query
    assert results.read(hand, "project_execution", None, YEAR, 9) is None
    assert len(db.run_query(hand, "project_execution", None, year=YEAR, month=9)) == 9


def test_the_scope_narrows_the_stored_rows_like_the_query(stored_hand):
    hand, _ = stored_hand
    codes = set(
        db.run_query(hand, "project_execution", Scope(departments=("D01",)), year=YEAR, month=7)[
            "project_code"
        ]
    )
    assert codes == {"P001", "P002", "P003", "P008"}
    public = set(
        db.run_query(hand, "project_execution", Scope.public(), year=YEAR, month=7)["project_code"]
    )
    assert "P007" not in public  # D03 保密办 is a sensitive department


def _august_spending() -> bytes:
    return csv_bytes(
        [
            ["年度", "月份", "项目编码", "资金来源", "累计支出（元）"],
            [YEAR, 8, "P001", "", 800000],  # the fixture's one fund key of P001
        ]
    )


def test_an_import_marks_exactly_what_it_touches_and_the_refresh_stores_it(hand):
    results.refresh_all(hand)
    before = _refreshed_at(hand)
    import_files(hand, [("august.csv", _august_spending())], user="test")
    # August is new, and the year's whole-year results may change; January to July cannot
    assert results.stale_periods(hand) == [(YEAR, 0), (YEAR, 8)]
    assert results.read(hand, "project_selfeval", None, YEAR) is None
    assert results.refresh_stale(hand) == [(YEAR, 0), (YEAR, 8)]
    after = _refreshed_at(hand)
    assert {p: after[p] for p in before if p != (YEAR, 0)} == {
        p: at for p, at in before.items() if p != (YEAR, 0)
    }
    for scope in SCOPES.values():
        _assert_same(hand, "project_execution", 8, scope)
        _assert_same(hand, "warning_slow_spending", 8, scope)
    august = results.read(hand, "project_execution", None, YEAR, 8).set_index("project_code")
    # P001: 800,000 of 1,200,000 = 0.666667; time progress 8/12 → pace 1.0
    assert august.loc["P001", "execution_rate"] == pytest.approx(800000 / 1200000)
    assert august.loc["P001", "pace"] == pytest.approx(1.0)


def test_a_rollback_refreshes_what_it_touches(hand):
    results.refresh_all(hand)
    batch = import_files(hand, [("august.csv", _august_spending())], user="test").files[0].batch_id
    results.refresh_stale(hand)
    rollback_batch(hand, batch, user="test")
    # the data ends at July again: August is gone, the year's results are stale
    assert results.stale_periods(hand) == [(YEAR, 0)]
    results.refresh_stale(hand)
    assert results.read(hand, "project_execution", None, YEAR, 8) is None
    assert hand.execute(
        "select count(*) from results_project_execution where month = 8"
    ).fetchall() == [(0,)]
    for query in results.YEARLY:
        _assert_same(hand, query, 0, Scope.everything())


def test_a_threshold_change_refreshes_every_period_with_the_new_threshold(hand):
    results.refresh_all(hand)
    flagged = set(results.read(hand, "warning_slow_spending", None, YEAR, 7)["project_code"])
    assert "P002" in flagged  # pace 0.6: yellow under the default 0.8
    settings_store.save_thresholds(
        hand,
        {("slow_spending", "pace_yellow_below"): "0.6", ("slow_spending", "pace_red_below"): "0.5"},
    )
    assert results.stale_periods(hand) == [(YEAR, 0)] + [(YEAR, m) for m in range(1, 8)]
    results.refresh_stale(hand)
    now = results.read(hand, "warning_slow_spending", None, YEAR, 7)
    assert "P002" not in set(now["project_code"])  # 0.6 is not < 0.6
    _assert_same(hand, "warning_slow_spending", 7, Scope.everything())


def test_an_import_limit_change_leaves_the_results_alone(hand):
    results.refresh_all(hand)
    settings_store.save_thresholds(hand, {("import", "max_rows"): "1000"})
    assert results.stale_periods(hand) == []


def test_a_database_of_the_previous_release_is_brought_up_to_date_on_open(tmp_path):
    path = tmp_path / "old.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    # what the release before stored results left: no results tables, no results_version
    conn.execute("delete from meta where key = 'results_version'")
    conn.execute("drop table results_periods")
    conn.close()
    conn = db.connect(path)
    assert results.is_stored_period(conn, YEAR, 7)
    _assert_same(conn, "project_execution", 7, Scope.everything())
    conn.close()


def test_results_of_another_version_are_dropped_and_computed_again(tmp_path):
    path = tmp_path / "other.duckdb"
    conn = db.connect(path)
    seed_hand_fixture(conn)
    results.refresh_all(conn)
    conn.execute("update meta set value = 'older' where key = 'results_version'")
    conn.execute("update results_project_execution set project_name = 'stale'")
    conn.close()
    conn = db.connect(path)
    names = set(db.run_query(conn, "project_execution", None, year=YEAR, month=7)["project_name"])
    assert "stale" not in names
    conn.close()


def test_months_of_a_year_are_read_in_one_go_as_the_queries_give_them(stored_hand):
    hand, _ = stored_hand
    assert results.stored_through(hand, YEAR) == 7
    for scope in (Scope.everything(), Scope(departments=("D01", "D02"))):
        together = results.read_months(hand, "department_league", scope, YEAR, 7)
        for month in range(1, 8):
            one = together[together["month"] == month].drop(columns="month").reset_index(drop=True)
            live = db.run_live(hand, "department_league", scope, year=YEAR, month=month)
            pd.testing.assert_frame_equal(one[live.columns], live, check_dtype=False)
    p001 = results.read_months(hand, "project_forecast", Scope.everything(), YEAR, 7, "P001")
    assert list(p001["month"]) == list(range(1, 8))
    assert set(p001["project_code"]) == {"P001"}
    assert results.read_months(hand, "project_forecast", Scope.everything(), YEAR, 8) is None


def test_since_when_a_flag_has_lasted_is_one_statement_that_agrees_with_the_month_by_month_walk(
    stored_hand,
):
    from perfbudget import flags

    hand, _ = stored_hand
    queries = {r.rule_id: r.query for r in flags.RULES}
    for scope in (Scope.everything(), Scope.public(), SCOPES["D01"]):
        for month in (3, 7):
            current = flags.warning_flags(hand, YEAR, month, scope, messages=False)
            walked = flags.persistence(
                current, month, lambda m, rules, s=scope: flags.flag_keys(hand, YEAR, m, s, rules)
            )
            stored = results.flag_since(hand, scope, YEAR, month, queries)
            key = ["project_code", "department_code", "rule"]
            walked = (
                walked.assign(project_code=walked["project_code"].fillna(""))
                .sort_values(key)
                .reset_index(drop=True)
            )
            assert len(stored) == len(current)  # one row per flag raised at the month
            pd.testing.assert_frame_equal(stored[walked.columns], walked, check_dtype=False)


def _rows(conn: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return sorted(conn.execute(sql).fetchall(), key=repr)


def test_a_memoised_macro_gives_the_macro_itself_for_its_period_and_any_other(hand):
    """The refresh computes the shared macros once per period (results.MEMOISED) and shadows
    them on its own cursor: for the period's arguments the memo, for any other (last month,
    last year's December) the macro's own body, and nothing changes on other cursors."""
    calls = {
        "execution_exact": ["(2025, 7)", "(2025, 6)", "(2024, 12)"],
        "spend_to_month": ["(2025, 7)", "(2025, 3)"],
        "indicator_standing": ["(2025, 7)", "(2025, 6)"],
        "output_progress_exact": ["(2025, 7)", "(2025, 5)"],
        "selfeval_exact": ["(2025)", "(2024)"],
    }
    expected = {
        (macro, args): _rows(hand, f"select * from {macro}{args}")
        for macro, arg_list in calls.items()
        for args in arg_list
    }
    assert any(expected[("execution_exact", "(2025, 7)")])  # the fixture has rows to compare
    cur = hand.cursor()
    results._memoise(cur, results.MONTHLY, YEAR, 7)
    memo_rows = cur.execute("select count(*) from temp._memo_execution_exact").fetchall()[0][0]
    assert memo_rows == len(expected[("execution_exact", "(2025, 7)")])
    for (macro, args), rows in expected.items():
        assert _rows(cur, f"select * from {macro}{args}") == rows, (macro, args)
    shadowing = (
        "select count(*) from duckdb_functions() where schema_name = 'main'"
        " and function_name = 'execution_exact' and database_name = 'temp'"
    )
    assert cur.execute(shadowing).fetchall()[0][0] == 1
    assert hand.cursor().execute(shadowing).fetchall()[0][0] == 0
    results._forget_memo(cur)
    assert not cur.execute(
        "select count(*) from duckdb_tables() where table_name like '\\_memo\\_%' escape '\\'"
    ).fetchall()[0][0]


@pytest.mark.parametrize(
    ("where", "order", "offset", "limit"),
    [
        ({}, None, 0, None),
        ({}, ("progress", True), 0, 3),
        ({}, ("progress", False), 2, 4),
        ({"light": ["red", "grey"]}, ("attainment", True), 0, 5),
        ({"department_code": ["D01"], "light": ["green"]}, None, 1, 2),
        ({}, ("project_code", False), 10_000, 5),  # past the last row
    ],
)
def test_a_window_of_stored_rows_is_the_window_of_the_query_s_own_rows(
    stored_hand, where, order, offset, limit
):
    """One page of a large table is read from the stored rows in the database
    (results.read_window): the same rows, order and count as filtering, sorting (empty
    values last, ties in the query's order) and slicing the query's own rows."""
    conn, _ = stored_hand
    for scope in SCOPES.values():
        live = db.run_live(conn, "indicator_attainment", scope, year=YEAR, month=7)
        expected, expected_total = results.window(live, where, order, offset, limit)
        page = results.read_window(
            conn, "indicator_attainment", scope, YEAR, 7, where, order, offset, limit
        )
        assert page is not None
        rows, total = page
        assert total == expected_total
        pd.testing.assert_frame_equal(rows, expected, check_dtype=False)
    every = db.run_live(conn, "indicator_attainment", Scope.everything(), year=YEAR, month=7)
    assert len(every) > 5 and every["progress"].isna().any()  # the cases above mean something


def test_window_by_hand():
    frame = pd.DataFrame(
        {"code": ["a", "b", "c", "d", "e"], "v": [2.0, None, 3.0, 2.0, 1.0], "k": list("xyxyx")}
    )
    rows, total = results.window(frame, {"k": ["x"]}, ("v", True), 0, 2)
    assert (list(rows["code"]), total) == (["c", "a"], 3)
    rows, total = results.window(frame, None, ("v", False), 3, 10)
    assert (list(rows["code"]), total) == (["c", "b"], 5)  # ties keep their order; empty last


def test_distinct_choices_of_stored_rows(stored_hand):
    conn, _ = stored_hand
    live = db.run_live(conn, "indicator_attainment", Scope.everything(), year=YEAR, month=7)
    found = results.read_distinct(
        conn, "indicator_attainment", Scope.everything(), YEAR, 7, ["department_code"]
    )
    assert found is not None
    assert list(found["department_code"]) == list(dict.fromkeys(live["department_code"]))
    d01 = results.read_distinct(
        conn,
        "indicator_attainment",
        Scope.everything(),
        YEAR,
        7,
        ["project_code"],
        {"department_code": ["D01"]},
    )
    assert d01 is not None
    expected = live.loc[live["department_code"] == "D01", "project_code"]
    assert expected.nunique() >= 2
    assert list(d01["project_code"]) == list(dict.fromkeys(expected))
    with pytest.raises(ValueError, match="no column"):
        results.read_window(
            conn, "indicator_attainment", Scope.everything(), YEAR, 7, {"x; drop": [1]}
        )


def test_flag_runs_of_some_projects_are_those_projects_rows_of_every_flag_s_runs(stored_hand):
    """A page of the warnings table asks how long its own flags have lasted
    (results.flag_since with project_codes): exactly those rows of the runs of every flag,
    a department's own flags ('') included when asked for."""
    from perfbudget import flags

    conn, _ = stored_hand
    queries = {r.rule_id: r.query for r in flags.RULES}
    for scope in SCOPES.values():
        every = results.flag_since(conn, scope, YEAR, 7, queries)
        assert every is not None and len(every) > 3
        for codes in (["P001", "P003"], ["", "P004"], ["nothing"]):
            some = results.flag_since(conn, scope, YEAR, 7, queries, codes)
            expected = every[every["project_code"].isin(codes)].reset_index(drop=True)
            pd.testing.assert_frame_equal(some, expected, check_dtype=False)
    assert "" in set(every["project_code"])  # a department's own flag is among them
