"""The 绩效目标执行监控表 (monitoring table) imports at its month: spending to date with the
full-year forecast, indicator values to date, and each indicator's remarks in their own
columns: 全年预计完成值 (forecast_value as a number where it is one in the indicator's unit,
forecast_text as written), 偏差原因类别 (deviation_category), 完成目标可能性
(completion_likelihood: 确定能 / 有可能 / 完全不可能 only) — the reason column keeps the reason
text alone.

The worked example (tests/form_helpers.py, monitoring_grid), "（2024年1-6月）", 单位：万元:
  调整后预算数 125.125 → 1,251,250 元; 预算执行数 62.5625 → 625,625 元 at month 6;
  全年预计执行数 112.6125 → 1,126,125 元.
  execution rate 625,625 ÷ 1,251,250 = 0.5; time progress 6/12 = 0.5; pace 1.0;
  forecast balance rate (1,251,250 − 1,126,125) ÷ 1,251,250 = 125,125 ÷ 1,251,250 = 0.1."""

from __future__ import annotations

from decimal import Decimal

import pytest

from perfbudget.db import run_query
from perfbudget.importer import import_files
from tests.form_helpers import MONITORING_INDICATORS, monitoring_grid, selfeval_grid, xls, xlsx
from tests.import_helpers import find_issue, new_db, rejected, scalar

YEAR = 2024


@pytest.fixture
def conn():
    c = new_db()
    yield c
    c.close()


def _assert_month_6(conn):
    assert conn.execute(
        "select month, fund_source, cumulative_yuan, forecast_yuan from spending"
    ).fetchall() == [(6, "", Decimal("625625.00"), Decimal("1126125.00"))]
    row = run_query(conn, "project_execution", year=YEAR, month=6).iloc[0]
    assert row["adjusted_budget_yuan"] == Decimal("1251250.00")
    assert row["execution_rate"] == 0.5
    assert row["pace"] == 1.0
    assert row["forecast_balance_rate"] == 0.1
    assert conn.execute(
        "select indicator_name, month, actual_value, actual_text, reason from indicator_actuals "
        "order by indicator_name"
    ).fetchall() == [
        ("养护达标率", 6, Decimal("97"), "97", None),
        ("养护面积", 6, Decimal("150"), "150万平方米", "部分绿地尚未移交"),
    ]  # fmt: skip
    # "370万平方米" against a target in 万平方米 is 370; "99" (unit 百分比) is 99
    assert conn.execute(
        "select indicator_name, forecast_value, forecast_text, deviation_category, "
        "completion_likelihood from indicator_actuals order by indicator_name"
    ).fetchall() == [
        ("养护达标率", Decimal("99"), "99", None, "确定能"),
        ("养护面积", Decimal("370"), "370万平方米", "其他", "有可能"),
    ]  # fmt: skip


def test_the_monitoring_table_lands_at_its_month_with_the_forecast(conn):
    result = import_files(conn, [("监控.xlsx", xlsx(("监控表", monitoring_grid())))])
    summary = result.files[0]
    assert summary.layout == "monitoring_table"
    assert summary.row_counts == {
        "projects": 1,
        "execution": 1,
        "indicators": 3,
        "indicator_actuals": 2,
    }  # 市民满意度 has no value
    assert scalar(conn, "select layout from import_batches") == "monitoring_table"
    notes = "\n".join(summary.notes)
    assert "监控表数据按6月导入" in notes
    # 市民满意度 has "—" to date: defined, no value, its remarks noted as not imported
    assert "市民满意度" in notes and "no value" in notes
    assert scalar(conn, "select count(*) from indicators") == 3
    _assert_month_6(conn)


def test_the_ministry_form_with_ticked_sub_columns_reads_the_same(conn):
    import_files(conn, [("监控.xlsx", xlsx(("监控表", monitoring_grid(ticks=True))))])
    _assert_month_6(conn)


def test_an_old_xls_monitoring_table_reads_the_same(conn):
    import_files(conn, [("监控.xls", xls(("监控表", monitoring_grid(ticks=True))))])
    _assert_month_6(conn)


def test_the_month_may_come_from_the_header_instead_of_the_title(conn):
    grid = monitoring_grid(title=["2024年度项目绩效目标执行监控表"], spent_header="1-7月执行数")
    import_files(conn, [("a.xlsx", xlsx(("表", grid)))])
    assert scalar(conn, "select month from spending") == 7
    assert scalar(conn, "select min(month) from indicator_actuals") == 7


def test_a_monitoring_table_without_a_month_is_refused(conn):
    grid = monitoring_grid(title=["2024年度项目绩效目标执行监控表"])
    exc = rejected(conn, [("a.xlsx", xlsx(("表", grid)))])
    find_issue(exc, file="a.xlsx", sheet="表", row=None, column=None, zh="未能确定监控月份",
               en="cannot be told")  # fmt: skip


def test_an_unknown_likelihood_is_refused_at_its_cell(conn):
    rows = [*MONITORING_INDICATORS]
    rows[0] = (*rows[0][:8], "大概吧")
    exc = rejected(conn, [("a.xlsx", xlsx(("表", monitoring_grid(indicators=rows))))])
    # titles 1–2, unit 3, 项目名称 4, 主管部门 5, funding 6–9, indicator header 10
    find_issue(exc, file="a.xlsx", sheet="表", row=11, column="完成目标可能性",
               zh="应为 确定能、有可能 或 完全不可能", en="must be 确定能")  # fmt: skip


@pytest.mark.parametrize("written", ["不确定能", "可能", "能"])
def test_a_likelihood_that_only_resembles_the_three_values_is_refused(conn, written):
    rows = [*MONITORING_INDICATORS]
    rows[1] = (*rows[1][:8], written)
    exc = rejected(conn, [("a.xlsx", xlsx(("表", monitoring_grid(indicators=rows))))])
    find_issue(exc, file="a.xlsx", sheet="表", row=12, column="完成目标可能性",
               zh=f"完成目标可能性「{written}」应为", en="must be 确定能, 有可能 or 完全不可能")  # fmt: skip
    assert scalar(conn, "select count(*) from import_batches") == 0


def test_a_likelihood_with_the_verb_after_it_is_read_as_its_value(conn):
    rows = [*MONITORING_INDICATORS]
    rows[0] = (*rows[0][:8], "有可能完成")
    rows[1] = (*rows[1][:8], " 完全不可能实现 ")
    import_files(conn, [("a.xlsx", xlsx(("表", monitoring_grid(indicators=rows))))])
    assert conn.execute(
        "select indicator_name, completion_likelihood from indicator_actuals order by 1"
    ).fetchall() == [("养护达标率", "完全不可能"), ("养护面积", "有可能")]


def test_a_reimport_shows_and_a_rollback_restores_the_changed_remarks(conn):
    from perfbudget.importer import batch_changes, rollback_batch

    import_files(conn, [("a.xlsx", xlsx(("表", monitoring_grid())))])  # batch 1
    rows = [*MONITORING_INDICATORS]
    rows[0] = ("产出指标", "数量指标", "养护面积", "375万平方米", "150万平方米", "360万平方米",
               "经费保障", "部分绿地尚未移交", "完全不可能")  # fmt: skip
    import_files(conn, [("b.xlsx", xlsx(("表", monitoring_grid(indicators=rows))))])  # batch 2
    changes = batch_changes(conn, 2).query("table == 'indicator_actuals'")
    assert sorted(map(tuple, changes[["column", "old_value", "new_value"]].values.tolist())) == [
        ("completion_likelihood", "有可能", "完全不可能"),
        ("deviation_category", "其他", "经费保障"),
        ("forecast_text", "370万平方米", "360万平方米"),
        ("forecast_value", Decimal("370.000000"), Decimal("360.000000")),
    ]
    rollback_batch(conn, 2, "alice")
    assert conn.execute(
        "select forecast_value, deviation_category, completion_likelihood from indicator_actuals "
        "where indicator_name = '养护面积'"
    ).fetchall() == [(Decimal("370"), "其他", "有可能")]


def test_points_from_an_earlier_self_evaluation_stay_when_the_monitoring_table_has_none(conn):
    # the same year's targets, first filed with their points in the self-evaluation table
    import_files(conn, [("自评.xlsx", xlsx(("表", selfeval_grid())))])
    import_files(conn, [("监控.xlsx", xlsx(("表", monitoring_grid())))])
    assert conn.execute(
        "select indicator_name, points from indicators order by indicator_name"
    ).fetchall() == [
        ("养护成本", Decimal("10.00")), ("养护达标率", Decimal("20.00")),
        ("养护面积", Decimal("20.00")), ("市容环境改善", Decimal("30.00")),
        ("市民满意度", Decimal("10.00")),
    ]  # fmt: skip
    # the same project: matched by name and department, year-end and month-6 rows side by side
    assert scalar(conn, "select count(distinct project_code) from spending") == 1
    assert [r[0] for r in conn.execute("select month from spending order by 1").fetchall()] == [
        6, 12]  # fmt: skip
