-- 双监控 dual monitoring at the end of a month: each project's spending pace R against its
-- output progress (both 1.0 = on schedule), with its budget for the bubble size and its
-- quadrant. The cut-offs are the yellow lines of slow_spending (R < 0.8) and of
-- indicator_behind (progress < 0.8); d = R − output progress as in spend_output_mismatch.
-- Output progress rests on each indicator's latest actual at or before the month; the earliest
-- of those months is oldest_actual_month (shown 截至m月 when older than the month).
-- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per project with both figures: project_code, project_name,
--          department_code, department, adjusted_budget_yuan, spent_yuan, execution_rate,
--          pace, output_progress, difference, quadrant, pace_cutoff, output_cutoff,
--          oldest_actual_month
with

cutoffs as (
    select
        (select value from thresholds
         where rule_id = 'slow_spending' and name = 'pace_yellow_below') as pace_cutoff,
        (select value from thresholds
         where rule_id = 'indicator_behind' and name = 'yellow_below') as output_cutoff
),

projects_in_scope as (
    select * from scoped_projects($year, $scope_departments, $scope_sensitive)
),

paired as (
    select
        p.project_code, p.project_name, p.department_code, p.department_name as department,
        e.adjusted_budget_yuan, e.spent_yuan, e.execution_rate, e.pace,
        o.output_progress,
        o.oldest_actual_month,
        c.pace_cutoff, c.output_cutoff
    from projects_in_scope as p
    inner join execution_exact($year, $month) as e using (project_code)
    inner join output_progress_exact($year, $month) as o using (project_code)
    cross join cutoffs as c
    where e.pace is not null and o.output_progress is not null
),

final as (
    select
        project_code, project_name, department_code, department, adjusted_budget_yuan,
        spent_yuan,
        execution_rate::double as execution_rate,
        pace::double as pace,
        output_progress::double as output_progress,
        (pace - output_progress)::double as difference,
        case
            when pace >= pace_cutoff and output_progress >= output_cutoff then 'on_track'
            when pace >= pace_cutoff then 'spending_ahead'
            when output_progress >= output_cutoff then 'outputs_ahead'
            else 'both_behind'
        end as quadrant,
        pace_cutoff::double as pace_cutoff,
        output_cutoff::double as output_cutoff,
        oldest_actual_month
    from paired
)

select * from final
order by department_code, project_code
