-- Attainment and in-year progress of each performance indicator at the end of a month, with
-- its light: red v < 0.6, yellow 0.6 ≤ v < 0.8, green, blue v ≥ 1.2 (indicator_behind
-- thresholds); grey when the indicator is 不适用, has no value up to the month, or its
-- qualitative level cannot be told. Each indicator stands on its latest actual at or before
-- the month (actual_month; an older one shown as 截至actual_month月), its progress judged
-- against that month's time progress; is_reported is false only with no actual at all.
-- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per indicator: project_code, project_name, department_code, department,
--          level1, level2, indicator, operator, target, target_value, unit, points,
--          is_cumulative, actual, actual_value, attainment, attainment_capped, progress,
--          light, reason, is_reported, is_output, actual_month
with

projects_in_scope as (
    select * from scoped_projects($year, $scope_departments, $scope_sensitive)
),

progress as (
    select * from indicator_standing($year, $month)
),

final as (
    select
        i.project_code,
        p.project_name,
        p.department_code,
        p.department_name as department,
        i.level1,
        i.level2,
        i.indicator_name as indicator,
        i.operator,
        coalesce(i.target_text, i.target_value::varchar) as target,
        i.target_value::double as target_value,
        i.unit,
        i.effective_points::double as points,
        i.cumulative_rule as is_cumulative,
        coalesce(i.actual_text, i.actual_value::varchar) as actual,
        i.actual_value::double as actual_value,
        i.attainment::double as attainment,
        i.attainment_capped::double as attainment_capped,
        i.progress::double as progress,
        progress_light(i.progress) as light,
        i.reason,
        i.has_actual as is_reported,
        i.is_output,
        i.actual_month
    from progress as i
    inner join projects_in_scope as p using (project_code)
)

select * from final
order by department_code, project_code, level1, level2, indicator
