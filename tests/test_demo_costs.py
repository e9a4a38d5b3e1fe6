"""The demo's cost classes (一类事) and next year's budget requests (预算申请): the district has
enough projects per class for a suggested standard, standards for some classes and not for
others, and requests for the year after the demo year where each cap of the review applies
somewhere; at city scale every class is costed in every district, at levels that differ."""

from __future__ import annotations

import duckdb
import numpy as np
import pytest

from perfbudget import db
from perfbudget.budget_review import review
from perfbudget.demo import (
    CITY_DISTRICTS,
    COST_UNITS,
    DEFAULT_SEED,
    DEMO_YEAR,
    REQUEST_YEAR,
    SCALES,
    SERVICE_CLASSES,
    build_demo,
    generate,
)


@pytest.fixture(scope="module")
def district():
    conn = db.connect()
    build_demo(conn, scale="district", seed=DEFAULT_SEED, refresh=False)
    yield conn
    conn.close()


@pytest.fixture(scope="module")
def city():
    """The city's generated tables (no database: the figures are read off the Arrow tables)."""
    tables = generate(SCALES["city"], np.random.default_rng(DEFAULT_SEED))
    conn = duckdb.connect()
    for name in ("projects", "departments", "costs", "cost_standards", "budget_requests"):
        conn.register(name, tables[name])
    yield conn
    conn.close()


def rows(conn, sql, params=None):
    return conn.execute(sql, params or {}).fetchall()


def test_district_classes_have_five_projects_each_and_standards_for_some(district):
    classes = rows(
        district,
        "select service_class, output_unit, project_count, suggested_standard,"
        " standard_unit_cost_yuan from cost_class_stats($y)",
        {"y": DEMO_YEAR},
    )
    assert {c for c, *_ in classes} == set(SERVICE_CLASSES)
    assert all(n >= 5 and suggested is not None for _, _, n, suggested, _ in classes)
    with_standard = {c for c, _, _, _, std in classes if std is not None}
    without = {c for c, _, _, _, std in classes if std is None}
    assert with_standard and "公共服务设施运行" in without - with_standard


def test_requests_are_for_the_year_after_and_labelled_with_the_demo_batch(district):
    assert REQUEST_YEAR == DEMO_YEAR + 1
    years = rows(
        district,
        "select year, count(*), count(*) filter (where is_new),"
        " count(distinct batch_id) from budget_requests group by year",
    )
    assert len(years) == 1
    year, count, new, batches = years[0]
    assert year == REQUEST_YEAR and 400 <= count <= 1500 and 3 <= new <= 0.1 * count
    assert batches == 1
    # a continuing request keeps its project's name, department and unit (the review's link)
    unlinked = rows(
        district,
        """
        select count(*) from budget_requests r
        where not r.is_new and not exists (
            select 1 from projects p where p.year = $y and p.project_name = r.project_name
              and p.department_code = r.department_code and p.unit_code = r.unit_code)""",
        {"y": DEMO_YEAR},
    )[0][0]
    assert unlinked == 0


def test_each_cap_applies_somewhere_but_most_requests_are_unremarkable(district):
    frame = review(district, REQUEST_YEAR)
    n = len(frame)
    cost = frame["cost_cap_yuan"].notna()
    result = frame["result_cap_yuan"].notna()
    poor = frame["grade"] == "差"
    assert 5 <= cost.sum() <= 0.25 * n
    assert 5 <= result.sum() <= 0.15 * n
    assert poor.sum() >= 5
    assert set(frame.loc[cost, "reference_basis"]) >= {"standard", "suggested"}
    assert frame.loc[frame["is_new"].astype(bool), "previous_project_code"].isna().all()
    cut = frame["is_cut"]
    assert cut.sum() < 0.5 * n
    # the reasons say which cap: the standard, the balance, the grade
    assert (
        frame.loc[cost & (frame["reference_basis"] == "standard"), "reasons"]
        .str.contains("高于")
        .all()
    )
    assert frame.loc[result, "reasons"].str.contains("结转结余率").all()
    assert frame.loc[poor, "reasons"].str.contains("差").all()


def test_the_city_costs_every_class_in_every_district(city):
    first_units = [(c, options[0][0]) for c, options in COST_UNITS.items()]
    counts = rows(
        city,
        """
        with costed as (select distinct year, project_code, output_unit from costs)
        select d.district_name, p.service_class, c.output_unit, count(*)
        from costed c join projects p using (year, project_code)
        join departments d using (department_code)
        where c.year = $y group by all""",
        {"y": DEMO_YEAR},
    )
    by_key = {(d, c, u): n for d, c, u, n in counts}
    for district in CITY_DISTRICTS:
        for service_class, unit in first_units:
            assert by_key.get((f"{district}（合成）", service_class, unit), 0) >= 5, (
                district,
                service_class,
                unit,
            )


def test_city_districts_differ_in_level_and_a_few_are_out_of_line(city):
    medians = rows(
        city,
        """
        with unit_costs as (
            select year, project_code, any_value(output_unit) as output_unit,
                   sum(amount_yuan) / any_value(output_quantity) as unit_cost
            from costs where year = $y group by all)
        select p.service_class, d.district_name, median(u.unit_cost / s.standard_unit_cost_yuan)
        from unit_costs u join projects p using (year, project_code)
        join departments d using (department_code)
        join cost_standards s on s.year = u.year and s.service_class = p.service_class
             and s.output_unit = u.output_unit
        where p.service_class = '绿化养护' group by all""",
        {"y": DEMO_YEAR},
    )
    levels = [float(m) for *_, m in medians]
    assert len(levels) == len(CITY_DISTRICTS) + 1  # and 市本级
    # districts differ: the dearest district's median is well above the cheapest one's
    assert max(levels) / min(levels) > 1.08
    # over all classes, some district × class medians are far from the standard or the centre
    spread = rows(
        city,
        """
        with unit_costs as (
            select year, project_code, any_value(output_unit) as output_unit,
                   sum(amount_yuan) / any_value(output_quantity) as unit_cost
            from costs where year = $y group by all),
        by_district as (
            select p.service_class, u.output_unit, d.district_name, median(u.unit_cost) as m
            from unit_costs u join projects p using (year, project_code)
            join departments d using (department_code) group by all)
        select count(*) filter (where m > 1.25 * c or m < 0.8 * c)
        from by_district join (select service_class, output_unit, median(m) as c
                               from by_district group by all) using (service_class, output_unit)
        """,
        {"y": DEMO_YEAR},
    )[0][0]
    assert 1 <= spread <= 10


def test_city_requests_exist_for_the_next_year(city):
    year, count = rows(city, "select min(year), count(*) from budget_requests")[0]
    assert year == REQUEST_YEAR and count > 5_000
