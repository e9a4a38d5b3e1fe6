"""Batch history: what a re-import changed, and rolling a batch back (the rows it superseded
come back; refused, changing nothing, while a later active batch replaced its rows).

Figures: P1's adjusted budget 1,200,000 元 then 1,500,000 元; its March cumulative spending
300,000 元 (one row, no fund source), re-imported as 200,000 财政拨款 + 150,000 其他资金."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfbudget import cli, db
from perfbudget.importer import RollbackRefused, batch_changes, import_files, rollback_batch
from tests.form_helpers import selfeval_grid, xlsx
from tests.import_helpers import counts, csv_bytes, new_db, scalar

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
    assert (result.deleted, result.restored) == ({"projects": 1}, {"projects": 1})
    assert scalar(conn, "select adjusted_budget_yuan from projects") == Decimal("1200000.00")
    assert scalar(conn, "select batch_id from projects") == 1
    assert scalar(conn, "select count(*) from projects_history") == 0
    status, by, at, imported_at = conn.execute(
        "select status, rolled_back_by, rolled_back_at, imported_at from import_batches "
        "where batch_id = 3").fetchall()[0]  # fmt: skip
    assert (status, by) == ("rolled_back", "alice")
    assert at >= imported_at
    assert conn.execute(
        "select rolled_back_by, rolled_back_at from import_batches where batch_id <> 3"
    ).fetchall() == [(None, None), (None, None)]
    assert "批次3已撤销" in result.summary_line()


def test_a_batch_whose_rows_a_later_batch_replaced_is_refused_and_nothing_changes(conn):
    import_files(conn, [_projects(1500000)])  # batch 3 replaces batch 1's project
    before = counts(conn)
    with pytest.raises(RollbackRefused) as info:
        rollback_batch(conn, 1, "alice")
    assert "请先撤销批次3" in info.value.message_zh
    assert "replaced by the later batch(es) 3: roll those back first" in info.value.message_en
    assert counts(conn) == before
    assert scalar(conn, "select status from import_batches where batch_id = 1") == "active"
    # in order it works: 3, then 2 and 1 leave an empty database
    rollback_batch(conn, 3, "alice")
    rollback_batch(conn, 2, "alice")
    rollback_batch(conn, 1, "alice")
    assert {t: n for t, n in counts(conn).items() if n and t != "import_batches"} == {}


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
