"""Batch history: what a re-import changed, rolling a batch back (its rows archived in the
history, the rows it superseded back; refused, changing nothing, while a later active batch
replaced its rows) and restoring a rolled-back batch (exactly the state before the rollback;
refused, changing nothing, when a batch changed the same data since).

Figures: P1's adjusted budget 1,200,000 元 then 1,500,000 元; its March cumulative spending
300,000 元 (one row, no fund source), re-imported as 200,000 财政拨款 + 150,000 其他资金.

The restore tests use a base workbook (batch 1): projects P1 (财政局, 1,200,000 元) and P2
(教育局, 800,000 元); cumulative spending P1 March 300,000, P1 June 500,000, P2 March 100,000
(no fund source). A later file (batch 2) re-imports P1's March as 200,000 财政拨款 + 150,000
其他资金 and adds P2's June at 400,000. Spent by March: P1 300,000 then 350,000, P2 100,000;
all spending rows sum to 900,000 then 1,350,000."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfbudget import cli, db
from perfbudget.importer import (
    RestoreRefused,
    RollbackRefused,
    batch_changes,
    import_files,
    restore_batch,
    rollback_batch,
)
from perfbudget.importer.batches import TABLES
from tests.form_helpers import selfeval_grid, xlsx
from tests.import_helpers import counts, csv_bytes, new_db, scalar, xlsx_bytes

PROJECTS = ["年度", "项目编码", "项目名称", "主管部门", "调整后预算数"]
EXECUTION = ["年度", "月份", "项目编码", "资金来源", "累计支出"]


def _projects(budget: int) -> tuple[str, bytes]:
    return (f"projects_{budget}.csv", csv_bytes([PROJECTS, [2025, "P1", "甲", "财政局", budget]]))


def _execution(*rows) -> tuple[str, bytes]:
    return ("execution.csv", csv_bytes([EXECUTION, *rows]))


@pytest.fixture
def conn():
    c = new_db()
    import_files(c, [_projects(1200000)])  # batch 1
    import_files(c, [_execution([2025, 3, "P1", "", 300000])])  # batch 2
    yield c
    c.close()


def test_batch_changes_shows_old_and_new_money_of_what_a_reimport_replaced(conn):
    import_files(conn, [_projects(1500000)])  # batch 3
    changes = batch_changes(conn, 3)
    assert changes.to_dict("records") == [{
        "table": "projects", "key": "2025/P1", "column": "adjusted_budget_yuan",
        "old_value": Decimal("1200000.00"), "new_value": Decimal("1500000.00"),
        "change": "changed",
    }]  # fmt: skip
    import_files(conn, [_execution([2025, 3, "P1", "财政拨款", 200000],
                                   [2025, 3, "P1", "其他资金", 150000])])  # batch 4  # fmt: skip
    rows = batch_changes(conn, 4)[["key", "old_value", "new_value", "change"]]
    assert sorted(map(tuple, rows.values.tolist())) == [
        ("2025/3/P1//", Decimal("300000.00"), None, "removed"),
        ("2025/3/P1/其他资金/", None, Decimal("150000.00"), "added"),
        ("2025/3/P1/财政拨款/", None, Decimal("200000.00"), "added"),
    ]
    assert batch_changes(conn, 1).empty  # the first import replaced nothing


def test_rolling_back_a_reimport_restores_what_it_replaced(conn):
    import_files(conn, [_projects(1500000)])  # batch 3
    result = rollback_batch(conn, 3, "alice")
    assert (result.archived, result.restored) == ({"projects": 1}, {"projects": 1})
    assert scalar(conn, "select adjusted_budget_yuan from projects") == Decimal("1200000.00")
    assert scalar(conn, "select batch_id from projects") == 1
    # nothing deleted: batch 3's row archived, batch 1's copy marked as back in the table
    assert conn.execute(
        "select batch_id, superseded_by, rolled_back, reinstated, adjusted_budget_yuan "
        "from projects_history order by batch_id").fetchall() == [
        (1, 3, False, True, Decimal("1200000.00")), (3, None, True, False, Decimal("1500000.00"))]  # fmt: skip
    status, by, at, imported_at = conn.execute(
        "select status, rolled_back_by, rolled_back_at, imported_at from import_batches "
        "where batch_id = 3").fetchall()[0]  # fmt: skip
    assert (status, by) == ("rolled_back", "alice")
    assert at >= imported_at
    assert conn.execute(
        "select rolled_back_by, rolled_back_at from import_batches where batch_id <> 3"
    ).fetchall() == [(None, None), (None, None)]
    assert "批次3已撤销：它导入的1行数据移入历史存档（恢复此批次即可取回），被它替换的1行恢复原样" in (
        result.summary_line())  # fmt: skip
    assert "its 1 rows are archived in the history (restore the batch" in result.summary_line()


def test_a_batch_whose_rows_a_later_batch_replaced_is_refused_and_nothing_changes(conn):
    import_files(conn, [_projects(1500000)])  # batch 3 replaces batch 1's project
    before = counts(conn)
    with pytest.raises(RollbackRefused) as info:
        rollback_batch(conn, 1, "alice")
    assert "请先撤销批次3" in info.value.message_zh
    assert "replaced by the later batch(es) 3: roll those back first" in info.value.message_en
    assert counts(conn) == before
    assert scalar(conn, "select status from import_batches where batch_id = 1") == "active"
    # in order it works: 3, then 2 and 1 leave the tables empty (every row archived)
    rollback_batch(conn, 3, "alice")
    rollback_batch(conn, 2, "alice")
    rollback_batch(conn, 1, "alice")
    assert {t: n for t, n in counts(conn).items()
            if n and t != "import_batches" and not t.endswith("_history")} == {}  # fmt: skip
    # batch 1's and 3's project rows, 1's copy superseded by 3; 2's spending row
    assert (scalar(conn, "select count(*) from projects_history"),
            scalar(conn, "select count(*) from spending_history")) == (3, 1)  # fmt: skip


def test_a_rolled_back_or_unknown_batch_is_refused(conn):
    rollback_batch(conn, 2, "alice")
    with pytest.raises(RollbackRefused, match="already rolled back"):
        rollback_batch(conn, 2, "alice")
    with pytest.raises(RollbackRefused, match="there is no batch 99"):
        rollback_batch(conn, 99, "alice")


def test_rolling_back_a_self_evaluation_import_takes_its_claims_and_department_away():
    conn = new_db()
    import_files(conn, [("a.xlsx", xlsx(("表", selfeval_grid())))])
    import_files(conn, [("b.xlsx", xlsx(("表", selfeval_grid(total_score=95))))])
    assert batch_changes(conn, 2).query("column == 'claimed_total_score'")[
        ["old_value", "new_value"]].values.tolist() == [[Decimal("90.20"), Decimal("95.00")]]  # fmt: skip
    rollback_batch(conn, 2, "bob")
    assert conn.execute(
        "select claimed_total_score, goal_expected from self_evaluations").fetchall() == [
        (Decimal("90.20"), "完成全区375万平方米绿地养护")]  # fmt: skip
    rollback_batch(conn, 1, "bob")
    assert scalar(conn, "select count(*) from self_evaluations") == 0
    assert scalar(conn, "select count(*) from departments") == 0
    assert scalar(conn, "select count(*) from units") == 0
    # archived with the batch whose rollback removed them, and back with its restore
    assert conn.execute("select removed_by, count(*) from departments_history group by all"
                        ).fetchall() == [(1, 1)]  # fmt: skip
    assert conn.execute("select removed_by, count(*) from units_history group by all"
                        ).fetchall() == [(1, 1)]  # fmt: skip
    restore_batch(conn, 1, "bob")
    assert (scalar(conn, "select count(*) from departments"),
            scalar(conn, "select count(*) from units"),
            scalar(conn, "select count(*) from departments_history"),
            scalar(conn, "select count(*) from units_history")) == (1, 1, 0, 0)  # fmt: skip
    restore_batch(conn, 2, "bob")
    assert conn.execute("select claimed_total_score from self_evaluations").fetchall() == [
        (Decimal("95.00"),)]  # fmt: skip


def test_the_cli_lists_batches_and_rolls_one_back(tmp_path, capsys):
    path = tmp_path / "t.duckdb"
    conn = db.connect(path)
    import_files(conn, [_projects(1200000)])
    import_files(conn, [_projects(1500000)])
    conn.close()
    capsys.readouterr()
    assert cli.main(["batches", "--db", str(path), "--format", "csv"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].startswith("batch_id,file_name,sha256,layout")
    assert [line.split(",")[0] for line in listing[1:]] == ["2", "1"]
    assert ",template:projects," in listing[1]
    assert cli.main(["rollback", "1", "--db", str(path)]) == cli.EXIT_REFUSED
    assert "roll those back first" in capsys.readouterr().err
    assert cli.main(["rollback", "2", "--db", str(path), "--user", "carol"]) == 0
    assert "batch 2 rolled back" in capsys.readouterr().out
    conn = db.connect(path, read_only=True)
    assert scalar(conn, "select adjusted_budget_yuan from projects") == Decimal("1200000.00")
    conn.close()


# --- restore: undoing a rollback -------------------------------------------------------------

LIVE = (*TABLES, "departments", "units")
ARCHIVE = (*(f"{t}_history" for t in TABLES), "departments_history", "units_history")


def _base() -> tuple[str, bytes]:
    return ("base.xlsx", xlsx_bytes(
        ("项目", [PROJECTS, [2025, "P1", "甲", "财政局", 1200000], [2025, "P2", "乙", "教育局", 800000]]),
        ("预算执行", [EXECUTION, [2025, 3, "P1", "", 300000], [2025, 6, "P1", "", 500000],
                      [2025, 3, "P2", "", 100000]]),
    ))  # fmt: skip


def _later() -> tuple[str, bytes]:
    return ("later.csv", csv_bytes([EXECUTION, [2025, 3, "P1", "财政拨款", 200000],
                                    [2025, 3, "P1", "其他资金", 150000],
                                    [2025, 6, "P2", "", 400000]]))  # fmt: skip


def _tables(conn, names=(*LIVE, *ARCHIVE)) -> dict[str, list[tuple]]:
    """Every row of these tables (names from the fixed lists above)."""
    return {t: conn.execute(f"select * from {t} order by all").fetchall() for t in names}


def _figures(conn) -> dict:
    """What a reader sees: the execution report at March and June (every column, money to
    the cent) and the sum of all spending rows."""
    out: dict = {}
    for month in (3, 6):
        frame = cli.REPORTS["execution"].build(conn, 2025, month).sort_values("project_code")
        # NaN (no value) is not equal to itself: compare it as None
        out[month] = frame.astype(object).where(frame.notna(), None).to_dict("records")
    out["spending_yuan"] = scalar(conn, "select sum(cumulative_yuan) from spending")
    return out


def _spent(conn, month: int) -> dict[str, Decimal]:
    frame = cli.REPORTS["execution"].build(conn, 2025, month)
    return dict(zip(frame["project_code"], frame["spent_yuan"], strict=True))


@pytest.fixture
def two():
    """Batch 1 the base workbook, batch 2 the later file that supersedes P1's March."""
    c = new_db()
    import_files(c, [_base()])
    base = (_figures(c), _tables(c, LIVE))
    import_files(c, [_later()])
    yield c, base
    c.close()


def test_roll_back_later_then_base_restore_base_then_later_gives_every_figure_back(two):
    conn, (base_figures, base_live) = two
    assert _spent(conn, 3) == {"P1": Decimal("350000.00"), "P2": Decimal("100000.00")}
    assert base_figures["spending_yuan"] == Decimal("900000.00")
    assert base_figures[3][0]["spent_yuan"] == Decimal("300000.00")
    full_figures, full_tables = _figures(conn), _tables(conn)
    assert full_figures["spending_yuan"] == Decimal("1350000.00")
    changes = batch_changes(conn, 2)
    with pytest.raises(RollbackRefused, match="roll those back first"):
        rollback_batch(conn, 1, "alice")
    assert _tables(conn) == full_tables

    rollback_batch(conn, 2, "alice")
    assert _figures(conn) == base_figures
    assert _tables(conn, LIVE) == base_live
    rollback_batch(conn, 1, "alice")
    assert {t: len(rows) for t, rows in _tables(conn, LIVE).items() if rows} == {}
    # nothing destroyed: the base's 2 projects and 3 spending rows archived, so are the later
    # file's 3 rows, and the copy of P1's March that the later file had replaced stays
    history = ("select batch_id, superseded_by, rolled_back, reinstated, count(*) "
               "from {} group by all order by all")  # fmt: skip
    assert conn.execute(history.format("projects_history")).fetchall() == [
        (1, None, True, False, 2)]  # fmt: skip
    assert conn.execute(history.format("spending_history")).fetchall() == [
        (1, 2, False, True, 1), (1, None, True, False, 3), (2, None, True, False, 3)]  # fmt: skip
    assert conn.execute("select department_code, removed_by from departments_history "
                        "order by 1").fetchall() == [("教育局", 1), ("财政局", 1)]  # fmt: skip
    assert batch_changes(conn, 2).equals(changes)  # what the rolled-back batch had changed

    result = restore_batch(conn, 1, "bob")
    assert (result.restored, result.archived) == ({"projects": 2, "execution": 3}, {})
    assert result.reference == {"departments": 2}
    assert _figures(conn) == base_figures
    assert _tables(conn, LIVE) == base_live
    result = restore_batch(conn, 2, "bob")
    assert (result.restored, result.archived) == ({"execution": 3}, {"execution": 1})
    assert (
        "批次2已恢复：它导入的3行数据重新生效，撤销时恢复的1行重新存入历史" in result.summary_line()
    )
    assert _figures(conn) == full_figures
    assert _tables(conn) == full_tables  # the history too: exactly the state before
    assert batch_changes(conn, 2).equals(changes)
    assert conn.execute("select batch_id, status, restored_by from import_batches order by 1"
                        ).fetchall() == [(1, "active", "bob"), (2, "active", "bob")]  # fmt: skip


def test_repeated_rollback_and_restore_cycles_change_nothing_in_the_end(two):
    conn, (base_figures, base_live) = two
    full_figures, full_tables = _figures(conn), _tables(conn)
    for _ in range(3):
        rollback_batch(conn, 2, "alice")
        assert _tables(conn, LIVE) == base_live
        restore_batch(conn, 2, "alice")
        assert _tables(conn) == full_tables
        rollback_batch(conn, 2, "alice")
        rollback_batch(conn, 1, "alice")
        assert sum(map(len, _tables(conn, LIVE).values())) == 0
        # each rollback archives once: 2 + 1 + 7 rows, never more
        assert sum(map(len, _tables(conn, ARCHIVE).values())) == 2 + 7 + 2
        restore_batch(conn, 1, "alice")
        assert _figures(conn) == base_figures
        restore_batch(conn, 2, "alice")
        assert _figures(conn) == full_figures
        assert _tables(conn) == full_tables
    # after the cycles a new import still supersedes and blocks rollbacks as before
    import_files(conn, [_execution([2025, 3, "P1", "", 330000])])  # batch 3
    with pytest.raises(RollbackRefused, match=r"later batch\(es\) 3: roll those back first"):
        rollback_batch(conn, 2, "alice")
    rollback_batch(conn, 3, "alice")
    assert _tables(conn, LIVE) == {t: full_tables[t] for t in LIVE}


def test_a_restore_is_refused_after_a_later_import_of_the_same_month_and_project(two):
    conn, _ = two
    rollback_batch(conn, 2, "alice")
    import_files(conn, [_execution([2025, 3, "P1", "", 330000])])  # batch 3: P1's March again
    before = _tables(conn, (*LIVE, *ARCHIVE, "import_batches"))
    with pytest.raises(RestoreRefused) as info:
        restore_batch(conn, 2, "alice")
    assert "后来的批次3改动了这些数据：请先撤销批次3" in info.value.message_zh
    assert "the later batch(es) 3 changed them: roll those back first" in info.value.message_en
    assert _tables(conn, (*LIVE, *ARCHIVE, "import_batches")) == before
    # as told: batch 3 rolled back, batch 2 comes back
    rollback_batch(conn, 3, "alice")
    restore_batch(conn, 2, "alice")
    assert _spent(conn, 3) == {"P1": Decimal("350000.00"), "P2": Decimal("100000.00")}


def test_a_restore_is_refused_for_a_new_grain_a_later_import_took(two):
    conn, _ = two
    rollback_batch(conn, 2, "alice")
    # P2's June was new in batch 2 (it replaced nothing there); batch 3 imports it since
    import_files(conn, [_execution([2025, 6, "P2", "", 450000])])
    with pytest.raises(RestoreRefused, match="roll those back first") as info:
        restore_batch(conn, 2, "alice")
    assert "请先撤销批次3" in info.value.message_zh


def test_restores_out_of_order_are_refused_naming_the_batch_to_restore_or_roll_back_first(two):
    conn, (base_figures, _) = two
    rollback_batch(conn, 2, "alice")
    rollback_batch(conn, 1, "alice")
    with pytest.raises(RestoreRefused) as info:
        restore_batch(conn, 2, "alice")  # the rows its rollback put back were batch 1's
    assert "请先恢复批次1" in info.value.message_zh
    assert "belong to batch(es) 1, rolled back since: restore those first" in info.value.message_en
    restore_batch(conn, 1, "alice")
    # batch 3 replaces the March row batch 2 had replaced, and is rolled back; batch 2 is
    # restored over it; batch 3's restore must wait until batch 2 is rolled back again
    import_files(conn, [_execution([2025, 3, "P1", "", 330000])])
    rollback_batch(conn, 3, "alice")
    restore_batch(conn, 2, "alice")
    with pytest.raises(RestoreRefused) as info:
        restore_batch(conn, 3, "alice")
    assert "请先撤销批次2" in info.value.message_zh
    rollback_batch(conn, 2, "alice")
    restore_batch(conn, 3, "alice")
    assert _spent(conn, 3) == {"P1": Decimal("330000.00"), "P2": Decimal("100000.00")}
    assert _figures(conn)[6] == base_figures[6]  # June is the base's (batch 3 had March only)


def test_a_restored_batch_gets_back_its_department_archived_by_a_later_rollback():
    conn = new_db()
    import_files(conn, [("p1.csv", csv_bytes([PROJECTS, [2025, "P1", "甲", "财政局", 100]]))])
    import_files(conn, [("p2.csv", csv_bytes([PROJECTS, [2025, "P2", "乙", "财政局", 200]]))])
    rollback_batch(conn, 2, "alice")  # 财政局 stays: P1 is in it
    rollback_batch(conn, 1, "alice")  # now nothing refers to it: archived with batch 1
    assert conn.execute("select department_code, removed_by from departments_history"
                        ).fetchall() == [("财政局", 1)]  # fmt: skip
    result = restore_batch(conn, 2, "alice")  # P2 needs 财政局 back, batch 1 or not
    assert result.reference == {"departments": 1}
    assert conn.execute("select department_code, department_name, batch_id from departments"
                        ).fetchall() == [("财政局", "财政局", 2)]  # fmt: skip
    restore_batch(conn, 1, "alice")
    assert (scalar(conn, "select count(*) from departments"),
            scalar(conn, "select count(*) from departments_history"),
            scalar(conn, "select count(*) from projects")) == (1, 0, 2)  # fmt: skip


def test_restoring_an_active_or_unknown_batch_is_refused(two):
    conn, _ = two
    before = _tables(conn, (*LIVE, *ARCHIVE, "import_batches"))
    with pytest.raises(RestoreRefused, match=r"batch 2 \(later\.csv\) is not rolled back"):
        restore_batch(conn, 2, "alice")
    with pytest.raises(RestoreRefused, match="there is no batch 99"):
        restore_batch(conn, 99, "alice")
    assert _tables(conn, (*LIVE, *ARCHIVE, "import_batches")) == before
    assert issubclass(RestoreRefused, RollbackRefused)


def test_the_cli_restores_a_batch_with_its_exit_codes(tmp_path, capsys):
    path = tmp_path / "t.duckdb"
    conn = db.connect(path)
    import_files(conn, [_projects(1200000)])
    import_files(conn, [_projects(1500000)])
    conn.close()
    capsys.readouterr()
    assert cli.main(["restore", "2", "--db", str(tmp_path / "none.duckdb")]) == cli.EXIT_USAGE
    assert "no database" in capsys.readouterr().err
    assert cli.main(["restore", "2", "--db", str(path)]) == cli.EXIT_REFUSED
    err = capsys.readouterr().err
    assert "Restore refused, the database is unchanged" in err and "is not rolled back" in err
    assert cli.main(["rollback", "2", "--db", str(path)]) == cli.EXIT_OK
    assert "batch 2 rolled back" in capsys.readouterr().out
    assert cli.main(["restore", "2", "--db", str(path), "--user", "carol"]) == cli.EXIT_OK
    assert "批次2已恢复" in capsys.readouterr().out
    assert cli.main(["batches", "--db", str(path), "--format", "csv"]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].endswith(",rolled_back_at,rolled_back_by,restored_at,restored_by")
    assert listing[1].startswith("2,") and listing[1].endswith(",carol")
    conn = db.connect(path, read_only=True)
    assert scalar(conn, "select adjusted_budget_yuan from projects") == Decimal("1500000.00")
    assert scalar(conn, "select status from import_batches where batch_id = 2") == "active"
    conn.close()


def test_a_database_made_before_restore_existed_migrates_on_open(tmp_path):
    path = tmp_path / "old.duckdb"
    conn = db.connect(path)
    import_files(conn, [_projects(1200000)])
    import_files(conn, [_projects(1500000)])  # batch 2 supersedes batch 1's row
    import_files(conn, [_execution([2025, 3, "P1", "", 300000])])  # batch 3
    # the schema of the previous version: no archive columns or tables
    for table in TABLES:
        conn.execute(f"alter table {table}_history drop column rolled_back")
        conn.execute(f"alter table {table}_history drop column reinstated")
    conn.execute("drop table departments_history")
    conn.execute("drop table units_history")
    conn.execute("alter table import_batches drop column restored_at")
    conn.execute("alter table import_batches drop column restored_by")
    # batch 3 as the old version rolled it back: its row deleted, nothing archived
    conn.execute("delete from spending")
    conn.execute("update import_batches set status = 'rolled_back' where batch_id = 3")
    conn.close()
    conn = db.connect(path)
    columns = set(conn.execute("select column_name from information_schema.columns "
                               "where table_name = 'projects_history'").fetchall())  # fmt: skip
    assert {("rolled_back",), ("reinstated",)} <= columns
    assert conn.execute("select rolled_back, reinstated, superseded_by from projects_history"
                        ).fetchall() == [(False, False, 2)]  # fmt: skip
    with pytest.raises(RestoreRefused, match="rolled back by an earlier version"):
        restore_batch(conn, 3, "alice")
    rollback_batch(conn, 2, "alice")
    assert scalar(conn, "select adjusted_budget_yuan from projects") == Decimal("1200000.00")
    restore_batch(conn, 2, "alice")
    assert scalar(conn, "select adjusted_budget_yuan from projects") == Decimal("1500000.00")
    assert scalar(conn, "select restored_by from import_batches where batch_id = 2") == "alice"
    conn.close()
