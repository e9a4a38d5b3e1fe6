"""The 预算申请 import template and the review of next year's requests
(docs/figures.md#budget-request-review). Figures are the hand-worked ones of
tests/budget_request_fixture.py (requested year 2026, the year before 2025)."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from perfbudget import budget_review, db
from perfbudget.importer import import_files, rollback_batch, template_csv_bytes
from perfbudget.scope import Scope
from tests.budget_request_fixture import REQUEST_HEADER, seed_budget_review
from tests.import_helpers import csv_bytes, find_issue, new_db, rejected, scalar, xlsx_bytes

YEAR = 2026


@pytest.fixture(scope="module")
def reviewed():
    conn = new_db()
    seed_budget_review(conn, YEAR)
    frame = budget_review.review(conn, YEAR)
    yield conn, frame.set_index("project_code", drop=False)
    conn.close()


def _row(reviewed, code):
    return reviewed[1].loc[code]


def _money(value) -> Decimal | None:
    return None if value is None or value != value else Decimal(str(value))


# --- the import template -----------------------------------------------------------------------


def test_a_request_for_a_project_not_in_the_projects_table_is_accepted_in_wan_yuan():
    conn = new_db()
    data = xlsx_bytes(("预算申请", [
        ["年度", "项目编码", "项目名称", "主管部门", "申请金额（万元）", "计划产出数量", "产出单位",
         "一类事", "是否新增项目"],
        [2026, "NEW01", "新建口袋公园养护", "绿化市容局", "12.5", "1,000", "平方米", "绿化养护", "是"],
    ]))  # fmt: skip
    result = import_files(conn, [("r.xlsx", data)])
    assert result.files[0].row_counts == {"budget_requests": 1}
    assert scalar(conn, "select count(*) from projects") == 0
    assert conn.execute(
        "select year, project_code, department_code, department_name, requested_amount_yuan, "
        "planned_output_quantity, output_unit, is_new from budget_requests"
    ).fetchall() == [(2026, "NEW01", "绿化市容局", "绿化市容局", Decimal("125000.00"),
                      Decimal("1000.000000"), "平方米", True)]  # fmt: skip


def test_a_request_file_is_told_from_a_projects_file_by_its_headers():
    conn = new_db()
    data = csv_bytes([["年度", "项目编码", "项目名称", "主管部门", "申请金额"],
                      [2026, "P1", "甲", "财政局", 100]])  # fmt: skip
    result = import_files(conn, [("r.csv", data)])
    assert result.files[0].table_kinds == ["budget_requests"]
    assert template_csv_bytes("budget_requests").decode("utf-8-sig").strip() == (
        "年度,项目编码,项目名称,主管部门编码,主管部门,预算单位编码,一类事,申请金额（元）,"
        "计划产出数量,产出单位,是否新增项目"
    )


def test_a_reimport_replaces_the_request_and_its_rollback_brings_the_old_one_back():
    conn = new_db()
    header = ["年度", "项目编码", "项目名称", "主管部门", "申请金额"]
    import_files(conn, [("r1.csv", csv_bytes([header, [2026, "P1", "甲", "财政局", 100]]))])
    second = import_files(conn, [("r2.csv", csv_bytes([header, [2026, "P1", "甲", "财政局", 90]]))])
    assert second.files[0].replaced_count == 1
    assert scalar(conn, "select requested_amount_yuan from budget_requests") == Decimal("90.00")
    rollback_batch(conn, second.files[0].batch_id, "alice")
    assert scalar(conn, "select requested_amount_yuan from budget_requests") == Decimal("100.00")


def test_bad_request_files_are_refused_at_the_cell_and_nothing_is_written():
    conn = new_db()
    data = csv_bytes([
        REQUEST_HEADER,
        [2026, "B1", "甲", "D1", "局", None, "绿化养护", "约30万", 100, "平方米", "是"],
        [2026, "B2", "乙", "D1", "局", None, "绿化养护", -5, 100, "平方米", "是"],
        [2026, "B3", "丙", "D1", "局", None, "绿化养护", 500, 0, "平方米", "是"],
        [2026, "B4", "丁", "D1", "局", None, "绿化养护", 500, 100, None, "是"],
        [2026, "B5", "戊", "D1", "局", None, "绿化养护", 500, 100, "平方米", "也许"],
        [2026, "B6", "己", "D1", "局", None, None, 500, None, None, None],
        [2026, "B6", "己", "D1", "局", None, None, 600, None, None, None],
        ["明年", "B7", "庚", "D1", "局", None, None, 500, None, None, None],
        [2026, "B8", None, "D1", "局", None, None, 500, None, None, None],
    ])  # fmt: skip
    exc = rejected(conn, [("req.csv", data)])
    find_issue(exc, file="req.csv", sheet=None, row=2, column="申请金额", zh="「约30万」不是数字",
               en="'约30万' is not a number")  # fmt: skip
    find_issue(exc, file="req.csv", sheet=None, row=3, column="申请金额", zh="不能为负",
               en="cannot be negative")  # fmt: skip
    find_issue(exc, file="req.csv", sheet=None, row=4, column="计划产出数量", zh="大于0",
               en="greater than 0")  # fmt: skip
    find_issue(exc, file="req.csv", sheet=None, row=5, column="产出单位", zh="须填写产出单位",
               en="output unit is required")  # fmt: skip
    find_issue(exc, file="req.csv", sheet=None, row=6, column="是否新增项目", zh="也许", en="也许")
    find_issue(exc, file="req.csv", sheet=None, row=8, column="项目编码", zh="重复且内容不同",
               en="with different values")  # fmt: skip
    find_issue(exc, file="req.csv", sheet=None, row=9, column="年度", zh="明年", en="明年")
    find_issue(exc, file="req.csv", sheet=None, row=10, column="项目名称", zh="必填", en="required")


def test_a_request_file_without_its_amount_column_is_refused():
    conn = new_db()
    data = xlsx_bytes(("申请", [["年度", "项目编码", "项目名称", "主管部门", "计划产出数量", "是否新增项目"],
                               [2026, "P1", "甲", "局", 10, "是"]]))  # fmt: skip
    exc = rejected(conn, [("r.xlsx", data)])
    find_issue(exc, file="r.xlsx", sheet="申请", row=1, column="申请金额", zh="缺少必填列",
               en="required column")  # fmt: skip


def test_the_downloadable_workbook_has_a_request_sheet():
    from perfbudget.importer import template_workbook_bytes

    wb = openpyxl.load_workbook(io.BytesIO(template_workbook_bytes()))
    assert [c.value for c in wb["预算申请"][1]][7] == "申请金额（元）"


# --- the review --------------------------------------------------------------------------------


def test_both_caps_apply_and_the_lowest_is_suggested(reviewed):
    a1 = _row(reviewed, "A1")
    # 820,000 ÷ 100,000 = 8.20 against the requested year's standard 6.50 (not 2025's 6.00)
    assert (a1.requested_unit_cost_yuan, a1.reference_unit_cost_yuan) == (8.2, 6.5)
    assert (a1.reference_basis, a1.reference_year) == ("standard", 2026)
    assert a1.cost_cap_yuan == Decimal("650000.00")  # 6.50 × 100,000
    assert a1.result_cap_yuan == Decimal("700000.00")  # 2025: 30% left, 700,000 spent
    assert a1.suggested_amount_yuan == Decimal("650000.00")
    assert a1.reasons == (
        "申请单位成本8.20元/平方米，高于标准6.50元/平方米26.2%，按标准核定为65.00万元；"
        "上年（2025年）结转结余率30.0%（≥20.0%），按上年实际支出核定为70.00万元；"
        "取其低者，建议核定为65.00万元（核减17.00万元）。"
    )
    assert a1.reasons_en.startswith(
        "Requested unit cost 8.20 yuan/平方米 is 26.2% above the standard"
    )
    assert "approve CNY 0.65 mn (a cut of CNY 0.17 mn)" in a1.reasons_en


def test_the_cost_cap_alone_reads_as_the_example(reviewed):
    n2 = _row(reviewed, "N2")
    assert n2.cost_cap_yuan == Decimal("650000.00")
    assert _money(n2.result_cap_yuan) is None  # a new project: no result cap
    assert n2.suggested_amount_yuan == Decimal("650000.00")
    assert n2.reasons.startswith(
        "申请单位成本8.20元/平方米，高于标准6.50元/平方米26.2%，建议按标准核定为65.00万元；"
    )
    assert "新增项目" in n2.reasons and n2.reasons.endswith("核减17.00万元。")


def test_the_result_cap_alone_at_exactly_twenty_percent(reviewed):
    a2 = _row(reviewed, "A2")
    # 800,000 spent of 1,000,000: 结转结余率 exactly 0.2, ≥ the red line
    assert a2.previous_balance_rate == 0.2
    assert _money(a2.cost_cap_yuan) is None  # no planned quantity: cost not checked
    assert (a2.result_cap_yuan, a2.suggested_amount_yuan) == (Decimal("800000.00"),
                                                              Decimal("800000.00"))  # fmt: skip
    assert "结转结余率20.0%（≥20.0%），建议按上年实际支出核定为80.00万元" in a2.reasons
    a3 = _row(reviewed, "A3")  # 800,000.01 spent: 0.19999999 left, below the line
    assert _money(a3.result_cap_yuan) is None
    assert a3.suggested_amount_yuan == Decimal("900000.00")


def test_the_same_project_is_found_by_department_unit_and_name(reviewed):
    x2 = _row(reviewed, "X2")
    assert x2.previous_project_code == "X1"
    assert x2.result_cap_yuan == Decimal("500000.00")
    assert x2.suggested_amount_yuan == Decimal("500000.00")


def test_a_request_below_the_reference_is_not_capped(reviewed):
    n3 = _row(reviewed, "N3")
    assert _money(n3.cost_cap_yuan) is None and n3.suggested_amount_yuan == Decimal("600000.00")
    assert "不高于标准6.50元/平方米" in n3.reasons and "建议按申请金额60.00万元安排" in n3.reasons


def test_exactly_ten_percent_above_is_not_capped_a_cent_more_is(reviewed):
    n4, n5 = _row(reviewed, "N4"), _row(reviewed, "N5")
    # 715,000 ÷ 100,000 = 7.15 = 6.50 × 1.1: not more than 10% above
    assert _money(n4.cost_cap_yuan) is None and n4.suggested_amount_yuan == Decimal("715000.00")
    assert n4.reference_deviation == 0.1
    assert n5.cost_cap_yuan == Decimal("650000.00")
    assert n5.suggested_amount_yuan == Decimal("650000.00")


def test_a_poor_grade_is_a_reason_with_no_number(reviewed):
    q = _row(reviewed, "Q")
    # (10 × 0.9 + 90 × 0.4) ÷ 100 × 100 = 45 < 60
    assert q.grade == "差"
    assert _money(q.cost_cap_yuan) is None and _money(q.result_cap_yuan) is None
    assert q.suggested_amount_yuan == Decimal("1000000.00")
    assert "上年（2025年）绩效自评等级为差，建议从严审核压减" in q.reasons
    assert "graded 差" in q.reasons_en
    assert not _row(reviewed, "A1").is_grade_poor


def test_the_reference_falls_back_standard_suggested_median_none(reviewed):
    f1, f2, f3, f4 = (_row(reviewed, c) for c in ("F1", "F2", "F3", "F4"))
    # 环卫保洁: no 2026 standard; the latest earlier one is 2025's 2.80 (not 2024's 3.00)
    assert (f4.reference_basis, f4.reference_year, f4.reference_unit_cost_yuan) == (
        "standard",
        2025,
        2.8,
    )
    assert f4.cost_cap_yuan == Decimal("2800000.00")  # 3.10 is 10.714…% above 2.80
    assert "高于2025年标准2.80元/平方米10.7%" in f4.reasons
    # 道路养护: no standard; 2025's six peers 4, 5, 6, 8, 12, 40 → 平均先进值 5 (2024's one
    # project at 100 is an older year)
    assert (f1.reference_basis, f1.reference_year, f1.reference_unit_cost_yuan) == (
        "suggested",
        2025,
        5.0,
    )
    assert f1.peer_count == 6
    assert f1.cost_cap_yuan == Decimal("50000.00")  # 6 is 20% above 5: 5 × 10,000
    # 景观灯光维护: three peers 10, 20, 60 → median 20, too few for a suggestion; 21 is 5% above
    assert (f2.reference_basis, f2.reference_unit_cost_yuan) == ("median", 20.0)
    assert _money(f2.cost_cap_yuan) is None and f2.suggested_amount_yuan == Decimal("210000.00")
    # 水质生态维护: two peers, no standard: nothing to compare with
    assert (
        f3.reference_basis == "none" and f3.reference_unit_cost_yuan != f3.reference_unit_cost_yuan
    )
    assert _money(f3.cost_cap_yuan) is None and "无可比较的成本参照" in f3.reasons


def test_department_totals_requested_suggested_and_difference(reviewed):
    totals = budget_review.department_totals(reviewed[1])
    assert totals.to_dict("records") == [
        {"department_code": "D1", "department": "绿化市容局", "request_count": 9,
         "requested_amount_yuan": Decimal("7070000.01"), "suggested_amount_yuan": Decimal("6465000.00"),
         "difference_yuan": Decimal("605000.01")},
        {"department_code": "D2", "department": "交通委", "request_count": 4,
         "requested_amount_yuan": Decimal("3570000.00"), "suggested_amount_yuan": Decimal("3260000.00"),
         "difference_yuan": Decimal("310000.00")},
    ]  # fmt: skip


def test_the_review_takes_the_users_scope(reviewed):
    conn = reviewed[0]
    frame = budget_review.review(conn, YEAR, Scope(departments=("D2",)))
    assert sorted(frame["project_code"]) == ["F1", "F2", "F3", "F4"]


def test_a_changed_cost_line_moves_the_cap(reviewed):
    conn = new_db()
    seed_budget_review(conn, YEAR)
    conn.execute("update thresholds set value = 0.3 "
                 "where rule_id = 'cost_above_reference' and name = 'yellow_above'")  # fmt: skip
    frame = db.run_query(conn, "budget_request_review", year=YEAR).set_index("project_code")
    # 26.2% above is within a 30% line: A1 keeps only its result cap
    assert frame.loc["A1", "cost_cap_yuan"] is None
    assert frame.loc["A1", "suggested_amount_yuan"] == Decimal("700000.00")
    conn.close()


def test_the_review_workbook_has_the_requests_their_reasons_and_the_department_totals(reviewed):
    from perfbudget.export.tables import budget_review_xlsx

    frame = reviewed[1].reset_index(drop=True)
    content = budget_review_xlsx(frame, budget_review.department_totals(frame), YEAR, "全部部门")
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["说明", "预算评审", "部门汇总"]
    sheet = wb["预算评审"]
    header = [c.value for c in sheet[2]]
    assert header[0] == "主管部门编码" and header[-1] == "审核意见"
    rows = {r[2]: r for r in sheet.iter_rows(min_row=3, values_only=True)}
    a1 = dict(zip(header, rows["A1"], strict=True))
    # money in 万元 (650,000 元 → 65), unit costs in 元
    assert (
        a1["申请金额（万元）"],
        a1["按成本核定（万元）"],
        a1["按上年结余核定（万元）"],
        a1["建议安排金额（万元）"],
    ) == (82, 65, 70, 65)
    assert (a1["申请单位成本（元）"], a1["参照单位成本（元）"]) == (8.2, 6.5)
    assert a1["审核意见"] == frame.set_index("project_code").loc["A1", "reasons"]
    assert a1["参照依据"] == "成本定额标准"
    # a row with a cut is filled; one without is not
    fills = {r[2].value: r[0].fill.fgColor.rgb for r in sheet.iter_rows(min_row=3)}
    assert fills["A1"] != fills["N3"]
    totals = [r for r in wb["部门汇总"].iter_rows(min_row=3, values_only=True)]
    assert [t[0] for t in totals] == ["D1", "D2"]
    # 7,070,000.01 requested, 6,465,000 suggested, 605,000.01 cut (元), in 万元
    assert totals[0][2:] == (9, 707.000001, 646.5, 60.500001)


def test_the_review_workbook_in_english_has_english_headers_sheets_and_reasons(reviewed):
    from perfbudget.export.tables import budget_review_xlsx

    frame = reviewed[1].reset_index(drop=True)
    totals = budget_review.department_totals(frame)
    content = budget_review_xlsx(frame, totals, YEAR, "All departments", lang="en")
    wb = openpyxl.load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["About", "Review", "By department"]
    header = [c.value for c in wb["Review"][2]]
    assert header[0] == "Dept. code" and header[-1] == "Reasons"
    rows = {r[2]: r for r in wb["Review"].iter_rows(min_row=3, values_only=True)}
    a1 = dict(zip(header, rows["A1"], strict=True))
    # the same figures as the Chinese workbook: 万元, unit costs in 元
    assert (a1["Requested (CNY 10k)"], a1["Cost cap (CNY 10k)"], a1["Suggested (CNY 10k)"]) == (
        82,
        65,
        65,
    )
    assert a1["Reference"] == "Cost standard"
    assert a1["Reasons"] == frame.set_index("project_code").loc["A1", "reasons_en"]
    assert a1["Reasons"].startswith("Requested unit cost 8.20 yuan/平方米")
    cover = [c.value for row in wb["About"].iter_rows() for c in row if c.value]
    assert any("Scope: All departments" in str(v) for v in cover)
    totals_header = [c.value for c in wb["By department"][2]]
    assert totals_header[-1] == "Cut (CNY 10k)"
    # no Chinese header left in either sheet
    for name in ("Review", "By department"):
        assert not any("\u4e00" <= ch <= "\u9fff" for c in wb[name][2] for ch in str(c.value or ""))


def test_a_project_of_last_year_without_december_spending_is_not_judged_on_its_balance():
    conn = new_db()
    import_files(conn, [("p.csv", csv_bytes([["年度", "项目编码", "项目名称", "主管部门", "调整后预算数"],
                                             [2025, "P1", "甲", "局", 1000000]])),
                        ("e.csv", csv_bytes([["年度", "月份", "项目编码", "累计支出"],
                                             [2025, 11, "P1", 100000]])),
                        ("r.csv", csv_bytes([["年度", "项目编码", "项目名称", "主管部门", "申请金额"],
                                             [2026, "P1", "甲", "局", 500000]]))])  # fmt: skip
    [row] = budget_review.review(conn, 2026).itertuples()
    # 90% unspent at November, but no December row: no 结转结余率, no result cap
    assert (
        row.previous_project_code == "P1" and row.previous_balance_rate != row.previous_balance_rate
    )
    assert row.result_cap_yuan is None and row.suggested_amount_yuan == Decimal("500000.00")
    assert "上年（2025年）同一项目无12月执行数据，未核结余" in row.reasons


def test_a_sensitive_department_or_project_is_left_out_of_a_public_review():
    conn = new_db()
    import_files(conn, [("p.csv", csv_bytes([
        ["年度", "项目编码", "项目名称", "主管部门编码", "主管部门", "部门是否涉密", "是否涉密", "调整后预算数"],
        [2025, "S1", "甲", "DS", "保密局", "是", "否", 1],
        [2025, "S2", "乙", "DP", "财政局", "否", "是", 1],
        [2025, "S3", "丙", "DP", "财政局", "否", "否", 1]])),
        ("r.csv", csv_bytes([["年度", "项目编码", "项目名称", "主管部门编码", "主管部门", "申请金额"],
                             [2026, "S1", "甲", "DS", "保密局", 10], [2026, "S2", "乙", "DP", "财政局", 10],
                             [2026, "S3", "丙", "DP", "财政局", 10]]))])  # fmt: skip
    # the CLI's everything: all three; public: not the sensitive department's S1, nor S2, whose
    # project (last year's) is sensitive
    assert sorted(budget_review.review(conn, 2026)["project_code"]) == ["S1", "S2", "S3"]
    assert list(budget_review.review(conn, 2026, Scope.public())["project_code"]) == ["S3"]
