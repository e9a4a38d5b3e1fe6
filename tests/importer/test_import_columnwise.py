"""The import's success path reads a column at a time (issue 10, item 8), and spending and
indicator actuals keep their key unique without a primary key.

- A column of plain amounts is read in one step (tables._money_column); every other cell
  goes through the cell readers. Both must give the same value for the same text, to the
  cent and the exponent, and count nothing the readers would not count.
- A code that is plain ASCII with no spaces is taken as written; parse_code agrees.
- Rows with issues are logged in sheet order, a row's issues in column order, as a reader
  of the file would list them.
- A database of schema version 1 (spending and indicator actuals with a primary key) is
  rebuilt on open, its rows kept; a duplicate key is refused by the writers' check."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import duckdb
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from perfbudget import db
from perfbudget.importer import cells, load
from perfbudget.importer.columns import CODE, MONEY, read_header
from perfbudget.importer.tables import ColumnRef, _money_column, _parse, _parse_column

FACTORS = [Decimal(1), Decimal(1000), Decimal(10000)]


def _slow(raw: str, factor: Decimal, key: str = "period_spend") -> tuple[object, Counter]:
    seen: Counter = Counter()
    ref = ColumnRef(0, read_header("本期支出"), factor)
    try:
        return _parse(MONEY, raw, ref, key, seen), seen
    except cells.CellError as err:
        return ("error", err.message_en), seen


def _fast(raws: list[str | None], factor: Decimal, key: str = "period_spend"):
    seen: Counter = Counter()
    errors: dict = {}
    ref = ColumnRef(0, read_header("本期支出"), factor)
    values = _money_column(raws, ref, key, seen, errors)
    return values, errors, seen


amounts = st.one_of(
    st.from_regex(r"-?[0-9]{1,14}(\.[0-9]{0,7})?", fullmatch=True),
    st.decimals(min_value=-(10**13), max_value=10**13, places=3, allow_nan=False).map(str),
    st.sampled_from(
        [
            "0",
            "-0",
            "00012",
            "1.",
            ".5",
            "1e3",
            "1,234.50",
            "¥12.00",
            " 12 ",
            "１２",
            "(1,000)",
            "12.345",
            "999999999999.99",
            "9999999999999.99",
            "-",
            "abc",
        ]
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    raw=amounts,
    factor=st.sampled_from(FACTORS),
    key=st.sampled_from(["period_spend", "standard_unit_cost"]),
)
def test_a_column_of_amounts_reads_each_cell_as_the_cell_reader_does(raw, factor, key):
    expected, expected_seen = _slow(raw, factor, key)
    values, errors, seen = _fast([raw], factor, key)
    if isinstance(expected, tuple):
        assert 0 in errors and errors[0].message_en == expected[1]
    else:
        assert not errors
        assert values[0] == expected
        assert str(values[0]) == str(expected)  # same decimals: 1000 → 1000.00 both ways
    assert seen == expected_seen


def test_plain_amounts_are_exact_in_every_unit():
    values, errors, seen = _fast(["12.3456", "0.01", None, "-7"], Decimal(10000))
    assert values == [Decimal("123456.00"), Decimal("100.00"), None, Decimal("-70000.00")]
    assert not errors and not seen
    # more decimals than the cent once in 元: rounded half up, and counted as rounded
    values, errors, seen = _fast(["12.345"], Decimal(1))
    assert values == [Decimal("12.35")] and seen["rounded"] == 1


@given(raw=st.text(alphabet=st.characters(codec="utf-8"), max_size=12))
def test_a_plain_code_is_taken_as_written_and_others_are_read_as_before(raw):
    ref = ColumnRef(0, read_header("项目编码"))
    seen: Counter = Counter()
    values, errors = _parse_column(CODE, [raw], ref, "project_code", seen)
    expected_seen: Counter = Counter()
    assert values == [cells.parse_code(raw, expected_seen)]
    assert not errors and seen == expected_seen


def test_repeated_texts_are_counted_once_per_cell():
    """A full-width code on three rows is three full-width cells, as the notes say."""
    ref = ColumnRef(0, read_header("项目编码"))
    seen: Counter = Counter()
    values, _ = _parse_column(
        CODE, ["Ｐ００１", "Ｐ００１", "P002", "Ｐ００１"], ref, "project_code", seen
    )
    assert values == ["P001", "P001", "P002", "P001"]
    assert seen[cells.FULLWIDTH] == 3


def test_issues_are_listed_row_by_row_then_column_by_column(tmp_path):
    """Row 3 has a bad month and a bad amount, row 2 a bad amount, row 4 an empty code:
    the refusal lists them as they stand in the sheet."""
    from perfbudget.importer import ImportRejected, import_files
    from tests.hand_fixture import seed_hand_fixture

    conn = db.connect(":memory:")
    seed_hand_fixture(conn)
    csv = ("年度,月份,项目编码,累计支出\n"
           "2025,8,P001,abc\n"
           "2025,13,P001,xyz\n"
           "2025,8,,100\n").encode()  # fmt: skip
    with pytest.raises(ImportRejected) as refused:
        import_files(conn, [("bad.csv", csv)])
    where = [(i.row, i.column) for i in refused.value.issues]
    assert where == [(2, "累计支出"), (3, "月份"), (3, "累计支出"), (4, "项目编码")]
    assert conn.execute("select count(*) from import_batches").fetchall() == [(0,)]


# --- keys without a primary key ---------------------------------------------------------


def test_a_version_1_database_loses_the_primary_keys_and_keeps_its_rows(tmp_path):
    path = tmp_path / "old.duckdb"
    conn = db.connect(path)
    conn.execute("drop table spending")
    conn.execute("""create table spending (
        year integer not null, month integer not null check (month between 1 and 12),
        project_code varchar not null, fund_source varchar not null default '',
        economic_class varchar not null default '', cumulative_yuan decimal(18, 2) not null,
        forecast_yuan decimal(18, 2), batch_id integer,
        primary key (year, month, project_code, fund_source, economic_class))""")
    conn.execute("insert into spending (year, month, project_code, cumulative_yuan) "
                 "values (2025, 7, 'P001', 560000), (2025, 8, 'P001', 600000)")  # fmt: skip
    conn.execute("update meta set value = '1' where key = 'schema_version'")
    conn.close()

    conn = db.connect(path)
    keys = conn.execute("select table_name from duckdb_constraints() where constraint_type = "
                        "'PRIMARY KEY' and table_name in ('spending', 'indicator_actuals')").fetchall()  # fmt: skip
    assert keys == []
    assert conn.execute(
        "select month, cumulative_yuan from spending order by month"
    ).fetchall() == [(7, Decimal("560000.00")), (8, Decimal("600000.00"))]
    # the rebuilt table still checks its month and keeps its defaults
    with pytest.raises(duckdb.ConstraintException):
        conn.execute("insert into spending (year, month, project_code, cumulative_yuan) "
                     "values (2025, 13, 'P001', 1)")  # fmt: skip
    conn.execute("insert into spending (year, month, project_code, cumulative_yuan) "
                 "values (2025, 9, 'P001', 1)")  # fmt: skip
    assert conn.execute("select fund_source from spending where month = 9").fetchall() == [("",)]
    assert conn.execute("select value from meta where key = 'schema_version'").fetchall() == [
        (db.SCHEMA_VERSION,)
    ]


def test_two_live_rows_with_one_key_are_refused_by_the_writers_check():
    conn = db.connect(":memory:")
    conn.execute("insert into spending (year, month, project_code, cumulative_yuan) values "
                 "(2025, 8, 'P001', 1), (2025, 8, 'P001', 2), (2025, 8, 'P002', 3)")  # fmt: skip
    with pytest.raises(duckdb.ConstraintException, match="P001"):
        load.check_unique(
            conn, "spending", "select 2025 as year, 8 as month, 'P001' as project_code"
        )
    # a key among those checked that is held once passes
    load.check_unique(conn, "spending", "select 2025 as year, 8 as month, 'P002' as project_code")
    # the same project under two fund sources is two keys, not a duplicate
    conn.execute("insert into spending (year, month, project_code, fund_source, cumulative_yuan) "
                 "values (2025, 9, 'P003', 'a', 1), (2025, 9, 'P003', 'b', 2)")  # fmt: skip
    load.check_unique(conn, "spending", "select 2025 as year, 9 as month, 'P003' as project_code")
