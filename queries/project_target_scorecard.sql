-- A scorecard per project at the end of a month: how many of its indicators are red, yellow,
-- green, blue or not reported, its output progress, and its points-weighted attainment (capped
-- at 1) over the indicators with a value. Lights use the indicator_behind thresholds. Each
-- indicator stands on its latest actual at or before the month; oldest_actual_month is the
-- earliest month among the output indicators its output progress rests on.
-- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per project in scope with indicators: project_code, project_name,
--          department_code, department, indicator_count, red_count, yellow_count,
--          green_count, blue_count, grey_count, weighted_attainment, output_progress,
--          worst_light, oldest_actual_month
with

projects_in_scope as (
    select * from scoped_projects($year, $scope_departments, $scope_sensitive)
),

lit as (
    select
        i.project_code,
        i.effective_points,
        i.attainment_capped,
        i.progress,
        i.is_output,
        i.operator,
        i.actual_month,
        progress_light(i.progress) as light
    from indicator_standing($year, $month) as i
),

counted as (
    select
        project_code,
        count(*) as indicator_count,
        count(*) filter (where light = 'red') as red_count,
        count(*) filter (where light = 'yellow') as yellow_count,
        count(*) filter (where light = 'green') as green_count,
        count(*) filter (where light = 'blue') as blue_count,
        count(*) filter (where light = 'grey') as grey_count,
        exact_ratio(
            sum(effective_points * attainment_capped) filter (where attainment_capped is not null),
            sum(effective_points) filter (where attainment_capped is not null)
        ) as weighted_attainment,
        -- output progress from the same rows (output_progress_exact would evaluate the macro again)
        output_progress_of(effective_points, progress, is_output, operator) as output_progress,
        min(actual_month) filter (where is_output and operator <> '不适用' and progress is not null)
            as oldest_actual_month
    from lit
    group by project_code
),

final as (
    select
        p.project_code,
        p.project_name,
        p.department_code,
        p.department_name as department,
        c.indicator_count, c.red_count, c.yellow_count, c.green_count, c.blue_count, c.grey_count,
        c.weighted_attainment::double as weighted_attainment,
        c.output_progress::double as output_progress,
        case
            when c.red_count > 0 then 'red'
            when c.yellow_count > 0 then 'yellow'
            when c.blue_count > 0 then 'blue'
            when c.green_count > 0 then 'green'
            else 'grey'
        end as worst_light,
        c.oldest_actual_month
    from counted as c
    inner join projects_in_scope as p using (project_code)
)

select * from final
order by department_code, project_code
