-- Execution of each district at the end of a month (the top of the drill-down).
-- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per district with projects in scope: district, department_count,
--          project_count, adjusted_budget_yuan, spent_yuan, execution_rate, time_progress,
--          pace, gap_pp
with

projects_in_scope as (
    select * from scoped_projects($year, $scope_departments, $scope_sensitive)
),

time_progress as (
    select tp_num, tp_den from time_progress_parts($year, $month)
),

by_district as (
    select
        coalesce(d.district_name, '（未指定区）') as district,
        count(distinct p.department_code) as department_count,
        count(*) as project_count,
        sum(p.adjusted_budget_yuan)::decimal(18, 2) as adjusted_budget_yuan,
        coalesce(sum(s.spent_yuan), 0)::decimal(18, 2) as spent_yuan
    from projects_in_scope as p
    left join departments as d using (department_code)
    left join spend_to_month($year, $month) as s using (project_code)
    group by all
),

final as (
    select
        b.*,
        exact_ratio(b.spent_yuan, b.adjusted_budget_yuan)::double as execution_rate,
        exact_ratio(tp.tp_num, tp.tp_den)::double as time_progress,
        exact_ratio(b.spent_yuan * tp.tp_den, b.adjusted_budget_yuan * tp.tp_num)::double as pace,
        exact_ratio(
            (b.spent_yuan * tp.tp_den - b.adjusted_budget_yuan * tp.tp_num) * 100,
            b.adjusted_budget_yuan * tp.tp_den
        )::double as gap_pp
    from by_district as b
    cross join time_progress as tp
)

select * from final
order by district
