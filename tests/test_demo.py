"""The synthetic demo generator: deterministic, within the documented scale, inside the
schema's constraints, and with a case for every warning rule the dashboard shows."""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow.compute as pc
import pytest

from perfbudget import db, demo
from perfbudget.demo import (
    _POOLS,
    BUDGET_TYPES,
    DATA_TABLES,
    DEMO_YEAR,
    LEVEL2,
    SCALES,
    SLOT_COUNT_PROBS,
    build_demo,
    generate,
)


@pytest.fixture(scope="module")
def district():
    conn = db.connect()
    summary = build_demo(conn, scale="district", seed=20251231, refresh=False)
    yield conn, summary
    conn.close()


def one(conn, sql, params=None):
    return conn.execute(sql, params or {}).fetchone()[0]


def table_digest(conn, table: str) -> str:
    columns = [r[0] for r in conn.execute(f"describe {table}").fetchall()]
    order = ", ".join(str(i + 1) for i in range(len(columns)))
    digest = hashlib.sha256()
    for row in conn.execute(f"select * from {table} order by {order}").fetchall():
        digest.update(repr(row).encode())
    return digest.hexdigest()


def test_same_seed_and_scale_give_identical_tables():
    digests = []
    for _ in range(2):
        conn = db.connect()
        build_demo(conn, scale="tiny", seed=7, refresh=False)
        digests.append({t: table_digest(conn, t) for t in (*DATA_TABLES, "import_batches", "meta")})
        conn.close()
    assert digests[0] == digests[1]


def test_another_seed_gives_other_figures():
    sums = []
    for seed in (1, 2):
        conn = db.connect()
        build_demo(conn, scale="tiny", seed=seed, refresh=False)
        sums.append(one(conn, "select sum(cumulative_yuan) from spending"))
        conn.close()
    assert sums[0] != sums[1]


def test_rebuild_replaces_everything_and_keeps_thresholds():
    conn = db.connect()
    conn.execute(
        "update thresholds set value = 0.7 where rule_id = 'slow_spending'"
        " and name = 'pace_yellow_below'"
    )
    first = build_demo(conn, scale="tiny", seed=3, refresh=False)
    second = build_demo(conn, scale="tiny", seed=3, refresh=False)
    assert first == second
    assert one(conn, "select count(*) from projects") == first["projects"]
    assert one(conn, "select count(*) from import_batches") == 1
    assert float(
        one(
            conn,
            "select value from thresholds where rule_id = 'slow_spending'"
            " and name = 'pace_yellow_below'",
        )
    ) == pytest.approx(0.7)
    # a later import gets a batch id of its own
    assert one(conn, "select nextval('batch_id_seq')") > 1
    conn.close()


def test_unknown_scale_is_refused_and_changes_nothing():
    conn = db.connect()
    build_demo(conn, scale="tiny", refresh=False)
    with pytest.raises(ValueError, match="scale"):
        build_demo(conn, scale="province")
    assert one(conn, "select count(*) from projects") > 0
    conn.close()


def test_summary_matches_tables_and_the_district_scale(district):
    conn, summary = district
    for table, count in summary.items():
        assert one(conn, f"select count(*) from {table}") == count
    assert summary["districts"] == 1
    assert 55 <= summary["departments"] <= 65
    per_year = conn.execute(
        "select year, count(*) from projects group by year order by year"
    ).fetchall()
    # three years, so PEFA rates the default demo (its last three completed years)
    assert [y for y, _ in per_year] == [DEMO_YEAR - 2, DEMO_YEAR - 1, DEMO_YEAR]
    assert all(1400 <= n <= 1600 for _, n in per_year)
    indicators_2025 = one(conn, "select count(*) from indicators where year = $y", {"y": DEMO_YEAR})
    assert 12_000 <= indicators_2025 <= 18_000
    assert 80 <= summary["rectifications"] <= 120


def test_batch_and_meta_label_the_data_synthetic(district):
    conn, _ = district
    batch = conn.execute(
        "select batch_id, file_name, layout, imported_by, length(sha256) from import_batches"
    ).fetchall()
    assert len(batch) == 1
    batch_id, file_name, layout, imported_by, sha_len = batch[0]
    assert (file_name, layout, imported_by, sha_len) == ("demo (synthetic)", "demo", "demo", 64)
    for table in DATA_TABLES:
        if table == "districts":
            continue
        assert (
            one(
                conn,
                f"select count(*) from {table} where batch_id is distinct from $b",
                {"b": batch_id},
            )
            == 0
        ), table
    meta = dict(conn.execute("select key, value from meta").fetchall())
    assert meta["is_synthetic"] == "true"
    assert meta["demo_scale"] == "district"
    assert meta["demo_seed"] == "20251231"
    assert meta["demo_year"] == str(DEMO_YEAR)
    assert "合成" in one(conn, "select district_name from districts")


def test_codes_are_text_with_leading_zeros(district):
    conn, _ = district
    assert (
        one(
            conn,
            "select count(*) from departments where not regexp_full_match("
            "department_code, '[0-9]{3}')",
        )
        == 0
    )
    assert one(conn, "select min(department_code) from departments") == "001"
    assert (
        one(
            conn,
            "select count(*) from projects where not regexp_full_match("
            "project_code, '20(23|24|25)-[0-9]{3}-[0-9]{4}')",
        )
        == 0
    )
    assert one(conn, "select count(*) from projects p anti join units u using (unit_code)") == 0


def test_all_four_budgets_and_every_category_are_present(district):
    conn, _ = district
    types = {
        r[0]
        for r in conn.execute(
            "select distinct budget_type from projects where year = $y", {"y": DEMO_YEAR}
        ).fetchall()
    }
    assert types == set(BUDGET_TYPES)
    general = one(conn, "select avg((budget_type = '一般公共预算')::int) from projects")
    assert general > 0.8
    assert one(conn, "select count(distinct category) from projects") == 5
    assert one(conn, "select count(distinct service_class) from projects") == 6


def test_sensitive_projects_and_departments_are_present(district):
    conn, _ = district
    assert 1 <= one(conn, "select count(*) from departments where is_sensitive") <= 2
    share = one(
        conn, "select avg(is_sensitive::int) from projects where year = $y", {"y": DEMO_YEAR}
    )
    assert 0.02 <= share <= 0.06
    # every project of a sensitive department is itself marked sensitive and never disclosed
    assert (
        one(
            conn,
            "select count(*) from projects join departments d using (department_code)"
            " where d.is_sensitive and not projects.is_sensitive",
        )
        == 0
    )
    assert one(conn, "select count(*) from projects where is_sensitive and targets_disclosed") == 0


def test_budgets_span_small_to_very_large_and_some_are_adjusted(district):
    conn, _ = district
    row = conn.execute(
        "select min(adjusted_budget_yuan) filter (where adjusted_budget_yuan > 0),"
        " count(*) filter (where adjusted_budget_yuan >= 10000000),"
        " count(*) filter (where adjusted_budget_yuan >= 50000000),"
        " avg((initial_budget_yuan <> adjusted_budget_yuan)::int),"
        " avg(is_key::int)"
        " from projects where year = $y",
        {"y": DEMO_YEAR},
    ).fetchone()
    smallest, large, very_large, adjusted_share, key_share = row
    assert smallest <= 100_000
    assert large >= 20 and very_large >= 3
    assert 0.15 <= adjusted_share <= 0.3
    assert 0.05 <= key_share <= 0.2
    undisclosed_big = one(
        conn,
        "select count(*) from projects where initial_budget_yuan >= 5000000"
        " and not targets_disclosed and not is_sensitive",
    )
    disclosed_big = one(
        conn,
        "select count(*) from projects where initial_budget_yuan >= 5000000 and targets_disclosed",
    )
    assert disclosed_big > undisclosed_big > 0


def test_spending_is_cumulative_and_falls_only_on_reversal_projects(district):
    conn, _ = district
    steps = conn.execute("""
        with s as (
            select year, project_code, fund_source, economic_class, month,
                   cumulative_yuan - lag(cumulative_yuan) over (
                       partition by year, project_code, fund_source, economic_class
                       order by month) as period_yuan
            from spending)
        select year, project_code, fund_source, count(*) filter (where period_yuan < 0) as falls
        from s group by all having falls > 0""").fetchall()
    projects = one(conn, "select count(*) from projects")
    assert 0 < len({(y, p) for y, p, _, _ in steps}) <= 0.03 * projects
    assert all(falls == 1 for *_, falls in steps)  # one reversal month, then it grows again
    assert one(conn, "select count(*) from spending where economic_class <> ''") == 0
    two_keys = one(
        conn,
        "select count(*) from (select year, project_code from spending"
        " group by all having count(distinct fund_source) = 2)",
    )
    assert two_keys > 100


def test_spending_has_twelve_months_every_year_and_some_projects_stop_reporting(district):
    conn, _ = district
    months = conn.execute(
        "select year, min(month), max(month) from spending group by year order by year"
    ).fetchall()
    assert months == [(DEMO_YEAR - 2, 1, 12), (DEMO_YEAR - 1, 1, 12), (DEMO_YEAR, 1, 12)]
    silent = one(
        conn,
        "select count(*) from projects p where year = $y and adjusted_budget_yuan > 0"
        " and not exists (select 1 from spending s where s.year = p.year"
        " and s.project_code = p.project_code and s.month = 12)",
        {"y": DEMO_YEAR},
    )
    assert 5 <= silent <= 60


def test_forecasts_from_june_on_about_a_third_of_projects(district):
    conn, _ = district
    assert (
        one(conn, "select count(*) from spending where forecast_yuan is not null and month < 6")
        == 0
    )
    share = one(
        conn,
        "select count(distinct project_code) / 1500 from spending"
        " where year = $y and forecast_yuan is not null",
        {"y": DEMO_YEAR},
    )
    assert 0.2 <= share <= 0.4
    balances = conn.execute(
        """
        with f as (
            select project_code, sum(forecast_yuan) as forecast_yuan
            from spending where year = $y and month = 8 and forecast_yuan is not null group by 1)
        select
            count(*) filter (where r >= 0.1 and r < 0.2), count(*) filter (where r >= 0.2)
        from (select (adjusted_budget_yuan - forecast_yuan) / adjusted_budget_yuan as r
              from f join projects p on p.year = $y and p.project_code = f.project_code
              where adjusted_budget_yuan > 0)""",
        {"y": DEMO_YEAR},
    ).fetchone()
    assert balances[0] >= 5 and balances[1] >= 5


def test_warning_cases_for_pace_and_overrun_are_present(district):
    conn, _ = district
    figures = conn.execute(
        """
        with rates as (
            select p.adjusted_budget_yuan as budget, s8.spent_yuan / p.adjusted_budget_yuan as r8,
                   s12.spent_yuan / p.adjusted_budget_yuan as r12
            from projects p
            join spend_to_month($y, 8) s8 using (project_code)
            join spend_to_month($y, 12) s12 using (project_code)
            where p.year = $y and p.adjusted_budget_yuan > 0)
        select
            count(*) filter (where r8 / (8 / 12) < 0.6),
            count(*) filter (where budget >= 10000000 and (r8 - 8 / 12) * 100 <= -20),
            count(*) filter (where r12 > 1.0 and r12 <= 1.1),
            count(*) filter (where r12 > 1.1),
            count(*)
        from rates""",
        {"y": DEMO_YEAR},
    ).fetchone()
    red_pace, large_gap, over_yellow, over_red, total = figures
    assert 0.03 * total <= red_pace <= 0.2 * total
    assert large_gap >= 5
    assert over_yellow >= 5 and over_red >= 3
    # spending against a budget cut to zero: a red data_quality case
    zero_budget_spend = one(
        conn,
        "select count(*) from projects p join spend_to_month($y, 12) s"
        " using (project_code) where p.year = $y"
        " and adjusted_budget_yuan = 0 and s.spent_yuan > 0",
        {"y": DEMO_YEAR},
    )
    assert zero_budget_spend >= 1


def test_indicator_points_sum_to_ninety_for_most_projects(district):
    conn, _ = district
    sums = conn.execute(
        "select sum(points) as total from indicators where year = $y group by project_code",
        {"y": DEMO_YEAR},
    ).fetchall()
    off = sum(1 for (total,) in sums if total != 90)
    assert len(sums) >= 1400
    assert 0 < off <= 0.03 * len(sums)
    without = one(
        conn, "select count(*) from projects p anti join indicators i using (year, project_code)"
    )
    assert 0 < without <= 60


def test_indicators_cover_the_three_levels_and_every_operator(district):
    conn, _ = district
    pairs = {
        tuple(r) for r in conn.execute("select distinct level1, level2 from indicators").fetchall()
    }
    assert set(LEVEL2) <= pairs
    ops = {r[0] for r in conn.execute("select distinct operator from indicators").fetchall()}
    assert {"≥", "≤", "=", "定性", "不适用"} <= ops
    per_project = one(
        conn,
        "select avg(n) from (select count(*) as n from indicators group by year, project_code)",
    )
    assert 8 <= per_project <= 12
    texts = {
        r[0]
        for r in conn.execute(
            "select target_text from indicators where unit in ('%', '万元')"
            " using sample 200 rows (reservoir, 1)"
        ).fetchall()
    }
    assert all(t[0] in "≥≤=不" for t in texts)
    assert one(conn, "select count(*) from indicators where target_text = '≥95%'") > 0


def test_monthly_actuals_grow_for_cumulative_quantities(district):
    conn, _ = district
    falls = one(
        conn,
        """
        with a as (
            select a.actual_value - lag(a.actual_value) over (
                       partition by a.project_code, a.level1, a.level2, a.indicator_name
                       order by a.month) as step
            from indicator_actuals a join indicators i using (year, project_code, level1, level2,
                                                              indicator_name)
            where a.year = $y and i.level2 = '数量指标' and i.operator = '≥'
              and i.is_cumulative is null)
        select count(*) filter (where step < 0) from a""",
        {"y": DEMO_YEAR},
    )
    assert falls == 0
    # the earlier years have year-end actuals only
    earlier = conn.execute(
        "select distinct year, month from indicator_actuals where year < $y order by 1",
        {"y": DEMO_YEAR},
    ).fetchall()
    assert earlier == [(DEMO_YEAR - 2, 12), (DEMO_YEAR - 1, 12)]


def test_indicator_warning_cases_are_present(district):
    conn, _ = district
    row = conn.execute(
        """
        select count(*) filter (where progress < 0.6), count(*) filter (where progress >= 1.2),
               count(*) filter (where not has_actual and operator <> '不适用'),
               count(*) filter (where reason is not null)
        from indicator_progress($y, 8)""",
        {"y": DEMO_YEAR},
    ).fetchone()
    behind, ahead, missing, with_reason = row
    assert behind > 50 and ahead > 20 and missing > 50 and with_reason > 50
    mismatched = conn.execute(
        """
        with o as (
            select project_code,
                   sum(effective_points * least(progress, 1)) / sum(effective_points) as op
            from indicator_progress($y, 8) where is_output and progress is not null group by 1)
        select count(*) filter (where d >= 0.35), count(*) filter (where d <= -0.35)
        from (select s.spent_yuan / p.adjusted_budget_yuan / (8 / 12) - o.op as d
              from o join spend_to_month($y, 8) s using (project_code)
              join projects p on p.year = $y and p.project_code = o.project_code
              where p.adjusted_budget_yuan > 0)""",
        {"y": DEMO_YEAR},
    ).fetchone()
    assert mismatched[0] >= 10 and mismatched[1] >= 10
    qualitative = {
        r[0]
        for r in conn.execute(
            "select distinct actual_text from indicator_actuals where actual_text is not null"
        ).fetchall()
    }
    assert {"达成预期指标", "部分达成预期指标", "基本达成", "未达成"} <= qualitative


def test_claimed_scores_at_year_end_and_some_self_evaluations_over_claim(district):
    conn, _ = district
    assert (
        one(
            conn,
            "select count(*) from indicator_actuals where claimed_score is not null"
            " and month <> 12",
        )
        == 0
    )
    assert (
        one(
            conn,
            "select count(*) from indicator_actuals where month = 12 and claimed_score is not null",
        )
        > 10_000
    )
    full_marks = one(
        conn, "select count(*) from self_evaluations where claimed_execution_score = 10"
    )
    assert full_marks > 0
    assert (
        one(
            conn,
            "select count(*) from self_evaluations s join projects p"
            " using (year, project_code) where p.budget_type = '社会保险基金预算'",
        )
        == 0
    )
    grades = {
        r[0] for r in conn.execute("select distinct claimed_grade from self_evaluations").fetchall()
    }
    assert {"优", "良"} <= grades


def test_costs_share_one_output_quantity_per_project_and_some_exceed_the_standard(district):
    conn, _ = district
    assert (
        one(
            conn,
            "select count(*) from (select year, project_code from costs group by all"
            " having count(distinct output_quantity) > 1"
            " or count(distinct output_unit) > 1)",
        )
        == 0
    )
    assert (
        one(
            conn,
            "select count(*) from costs c join projects p using (year, project_code)"
            " where p.service_class is null",
        )
        == 0
    )
    deviations = conn.execute("""
        with unit_costs as (
            select year, project_code, sum(amount_yuan) / any_value(output_quantity) as unit_cost,
                   any_value(output_unit) as output_unit
            from costs group by all)
        select count(*) filter (where d > 0.1 and d <= 0.2), count(*) filter (where d > 0.2)
        from (select u.unit_cost / s.standard_unit_cost_yuan - 1 as d
              from unit_costs u join projects p using (year, project_code)
              join cost_standards s on s.year = u.year and s.service_class = p.service_class
                   and s.output_unit = u.output_unit)""").fetchone()
    assert deviations[0] >= 5 and deviations[1] >= 5
    # one class/unit pair has no standard: the peer median is its reference
    assert (
        one(conn, "select count(*) from cost_standards where service_class = '公共服务设施运行'")
        == 0
    )


def test_the_earliest_year_leaves_the_later_years_as_they_were(monkeypatch):
    """The third year (DEMO_YEAR − 2) draws from a child of the seed of its own: generated
    without it, every row of the two later years (and the requests) is the same."""
    three = generate(SCALES["tiny"], np.random.default_rng(7))
    monkeypatch.setattr(demo, "YEARS", (DEMO_YEAR - 1, DEMO_YEAR))
    two = generate(SCALES["tiny"], np.random.default_rng(7))
    assert three["projects"].num_rows == 3 * two["projects"].num_rows // 2
    for name in DATA_TABLES:
        if "year" not in two[name].column_names:
            assert three[name].equals(two[name]), name
            continue
        later = three[name].filter(pc.greater_equal(three[name]["year"], DEMO_YEAR - 1))
        assert later.equals(two[name]), name


def test_pefa_rates_the_demo_on_its_three_completed_years(district):
    conn = district[0].cursor()  # the module's connection may hold a half-fetched result
    scores = db.run_live(conn, "pefa_scores", level="district", year=DEMO_YEAR)
    assert list(scores["year"]) == [DEMO_YEAR - 2, DEMO_YEAR - 1, DEMO_YEAR]
    assert set(scores["year_count"]) == {3}
    assert set(scores["pi1_score"]) <= set("ABCD") and set(scores["pi2_score"]) <= set("ABCD")
    departments = db.run_live(conn, "pefa_scores", level="department", year=DEMO_YEAR)
    assert "—" not in set(departments["pi1_score"]) | set(departments["pi2_score"])


def test_rectifications_are_done_on_time_late_or_open(district):
    conn, _ = district
    row = conn.execute("""
        select count(*) filter (where done_date - feedback_date <= 30),
               count(*) filter (where done_date - feedback_date > 30),
               count(*) filter (where done_date is null and feedback_date + 30 < date '2025-12-31'),
               min(feedback_date), max(feedback_date)
        from rectifications""").fetchone()
    on_time, late, open_overdue, first, last = row
    assert on_time > 10 and late > 5 and open_overdue > 10
    assert first.year == DEMO_YEAR and last.year == DEMO_YEAR


def test_indicator_pools_have_enough_distinct_names_for_every_slot():
    for (theme, slot), size in _POOLS["pool_len"].items():
        start = _POOLS["pool_start"][theme, slot]
        names = _POOLS["name"][start : start + size]
        assert len(set(names)) == size, (theme, LEVEL2[slot])
        assert size >= len(SLOT_COUNT_PROBS[slot]) - 1, (theme, LEVEL2[slot])


def test_some_complete_self_evaluations_are_poor_and_no_incomplete_one_is_graded(district):
    conn, _ = district
    rows = dict(
        conn.execute(
            "select status || '/' || coalesce(grade, '-'), count(*) from selfeval_exact($y) group by 1",
            {"y": DEMO_YEAR},
        ).fetchall()
    )
    assert rows.get("complete/差", 0) >= 5  # a 差 case for the page and the budget review
    assert rows.get("incomplete/-", 0) > 10 and rows.get("none/-", 0) > 0
    assert not {k for k in rows if k.startswith(("incomplete/", "none/")) and not k.endswith("/-")}
