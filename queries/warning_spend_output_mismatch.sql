-- Rule spend_output_mismatch (支出进度与产出进度明显不符) at the end of a month:
-- d = pace R − output progress; yellow 0.2 ≤ |d| < 0.35, red |d| ≥ 0.35. d > 0: money spent
-- ahead of outputs; d < 0: outputs delivered ahead of spending. Needs both figures; applies
-- from the first warning month.
-- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per flagged project: project_code, project_name, department_code,
--          department, is_sensitive, rule, severity, sub_rules, value, threshold,
--          adjusted_budget_yuan, spent_yuan, execution_rate, time_progress, pace,
--          output_progress, difference
with

limits as (
    select
        max(value) filter (where name = 'yellow_at') as yellow_at,
        max(value) filter (where name = 'red_at') as red_at,
        (select g.value from thresholds as g
         where g.rule_id = 'general' and g.name = 'first_warning_month') as first_warning_month
    from thresholds
    where rule_id = 'spend_output_mismatch'
),

projects_in_scope as (
    select * from scoped_projects($year, $scope_departments, $scope_sensitive)
),

compared as (
    select
        p.project_code, p.project_name, p.department_code, p.department_name as department,
        p.is_effectively_sensitive as is_sensitive,
        e.adjusted_budget_yuan, e.spent_yuan, e.execution_rate, e.time_progress, e.pace,
        o.output_progress,
        e.pace - o.output_progress as difference,
        l.yellow_at, l.red_at
    from projects_in_scope as p
    inner join execution_exact($year, $month) as e using (project_code)
    inner join output_progress_exact($year, $month) as o using (project_code)
    cross join limits as l
    where e.pace is not null
      and o.output_progress is not null
      and e.is_reported
      and $month >= l.first_warning_month
),

final as (
    select
        project_code, project_name, department_code, department, is_sensitive,
        'spend_output_mismatch' as rule,
        case when abs(difference) >= red_at then 'red' else 'yellow' end as severity,
        case when difference > 0 then 'spending_ahead' else 'outputs_ahead' end as sub_rules,
        difference::double as value,
        case when abs(difference) >= red_at then red_at else yellow_at end::double as threshold,
        adjusted_budget_yuan, spent_yuan,
        execution_rate::double as execution_rate,
        time_progress::double as time_progress,
        pace::double as pace,
        output_progress::double as output_progress,
        difference::double as difference
    from compared
    where abs(difference) >= yellow_at
)

select * from final
order by department_code, project_code
