-- Output progress of each project at the end of a month: the points-weighted mean of the
-- capped in-year progress v of its 产出 indicators (数量, 质量, 时效, 成本; a level-1 成本指标
-- counts too), each on its latest actual at or before the month (the earliest of those months:
-- oldest_actual_month). Indicators with no value up to the month or marked 不适用 are left out.
-- 1.0 = on schedule, the same scale as the spending pace.
-- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per project in scope with output indicators: project_code,
--          output_progress, output_indicator_count, reported_count, oldest_actual_month
with

projects_in_scope as (
    select project_code from scoped_projects($year, $scope_departments, $scope_sensitive)
),

final as (
    select
        o.project_code,
        o.output_progress::double as output_progress,
        o.output_indicator_count,
        o.reported_count,
        o.oldest_actual_month
    from output_progress_exact($year, $month) as o
    semi join projects_in_scope using (project_code)
)

select * from final
order by project_code
