-- PEFA fiscal reliability of each head over the last three completed years up to $year: PI-1
-- aggregate outturn (cumulative spending at December ÷ 年初预算数) and PI-2 composition variance
-- over the heads one level down (city: its districts; district: its departments; department:
-- its budget units; city_category / district_category, the functional view: the city's or
-- each district's 项目类别), each year's grade, and the score: the best grade met in at least 2 of the
-- 3 years, '—' for a head with fewer than 3 (docs/figures.md#fiscal-reliability-pefa).
-- params:  $level VARCHAR, $year INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per head and completed year: level, code, name, year, initial_budget_yuan,
--          outturn_yuan, outturn_ratio, pi1_score, pi2_variance, pi2_score, pi1_year_grade,
--          pi2_year_grade, deviation_yuan, sub_head_count, year_count, project_count
with

sub_heads as (
    select * from pefa_heads($level, $year, $scope_departments, $scope_sensitive)
),

-- money in fen as integers: PI-2 is compared by cross-multiplying, which DECIMAL(38) cannot
-- hold at city scale (Σ budget × Σ outturn in fen² reaches 10^28)
in_fen as (
    select
        level, code, name, year, sub_code, project_count, initial_budget_yuan, outturn_yuan,
        (initial_budget_yuan * 100)::hugeint as budget_fen,
        (outturn_yuan * 100)::hugeint as outturn_fen
    from sub_heads
),

head_years as (
    select
        level, code, any_value(name) as name, year,
        sum(initial_budget_yuan) as initial_budget_yuan,
        sum(outturn_yuan) as outturn_yuan,
        sum(budget_fen) as budget_fen,
        sum(outturn_fen) as outturn_fen,
        count(*) as sub_head_count,
        sum(project_count) as project_count
    from in_fen
    group by level, code, year
),

-- With A = Σ outturn, B = Σ budget and k = A ÷ B: Σ |a_i − k·b_i| = Σ |a_i·B − A·b_i| ÷ B, and
-- Σ k·b_i = A, so the variance is Σ |a_i·B − A·b_i| ÷ (A·B), both integers.
deviations as (
    select
        f.level, f.code, f.year,
        sum(abs(f.outturn_fen * h.budget_fen - h.outturn_fen * f.budget_fen)) as scaled_deviation
    from in_fen as f
    inner join head_years as h using (level, code, year)
    group by f.level, f.code, f.year
),

-- PI-1 bounds inclusive (95% ≤ outturn ÷ budget ≤ 105% is A), PI-2 strict (variance < 5% is A),
-- the PEFA framework's own lines; a year without a budget, or (PI-2) without an outturn, meets
-- no grade (null)
graded as (
    select
        h.*,
        d.scaled_deviation,
        h.budget_fen * h.outturn_fen as composition_base,
        case
            when h.budget_fen <= 0 then null
            when h.outturn_fen * 100 between h.budget_fen * 95 and h.budget_fen * 105 then 'A'
            when h.outturn_fen * 100 between h.budget_fen * 90 and h.budget_fen * 110 then 'B'
            when h.outturn_fen * 100 between h.budget_fen * 85 and h.budget_fen * 115 then 'C'
            else 'D'
        end as pi1_year_grade,
        case
            when h.budget_fen <= 0 or h.outturn_fen <= 0 then null
            when d.scaled_deviation * 20 < h.budget_fen * h.outturn_fen then 'A'
            when d.scaled_deviation * 10 < h.budget_fen * h.outturn_fen then 'B'
            when d.scaled_deviation * 20 < h.budget_fen * h.outturn_fen * 3 then 'C'
            else 'D'
        end as pi2_year_grade
    from head_years as h
    inner join deviations as d using (level, code, year)
),

counted as (
    select
        *,
        count(*) over head as year_count,
        sum((pi1_year_grade = 'A')::integer) over head as pi1_a,
        sum((pi1_year_grade in ('A', 'B'))::integer) over head as pi1_b,
        sum((pi1_year_grade in ('A', 'B', 'C'))::integer) over head as pi1_c,
        sum((pi2_year_grade = 'A')::integer) over head as pi2_a,
        sum((pi2_year_grade in ('A', 'B'))::integer) over head as pi2_b,
        sum((pi2_year_grade in ('A', 'B', 'C'))::integer) over head as pi2_c
    from graded
    window head as (partition by level, code)
),

final as (
    select
        level, code, name, year,
        initial_budget_yuan::decimal(18, 2) as initial_budget_yuan,
        outturn_yuan::decimal(18, 2) as outturn_yuan,
        exact_ratio(outturn_yuan, initial_budget_yuan)::double as outturn_ratio,
        case
            when year_count < 3 then '—'
            when pi1_a >= 2 then 'A'
            when pi1_b >= 2 then 'B'
            when pi1_c >= 2 then 'C'
            else 'D'
        end as pi1_score,
        -- Σ |a_i·B − A·b_i| ÷ (A·B) truncated at 12 decimals, as exact_ratio truncates, in two
        -- steps of 6 digits so that no product leaves HUGEINT
        case when composition_base > 0 then (
            ((scaled_deviation * 1000000) // composition_base)::decimal(38, 0) * 0.000001
            + (((scaled_deviation * 1000000) % composition_base) * 1000000 // composition_base)::decimal(38, 0)
            * 0.000000000001
        )::double end as pi2_variance,
        case
            when year_count < 3 then '—'
            when pi2_a >= 2 then 'A'
            when pi2_b >= 2 then 'B'
            when pi2_c >= 2 then 'C'
            else 'D'
        end as pi2_score,
        pi1_year_grade,
        pi2_year_grade,
        -- Σ |a_i − k·b_i| to the fen, rounded half up
        case when budget_fen > 0 then
            ((scaled_deviation * 2 + budget_fen) // (budget_fen * 2))::decimal(38, 0) * 0.01
        end::decimal(18, 2) as deviation_yuan,
        sub_head_count,
        year_count,
        project_count
    from counted
)

select * from final
order by code, year
