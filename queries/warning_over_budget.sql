-- Rule over_budget (成本管控不到位: spending above the adjusted budget) at the end of a month:
-- yellow 1.0 < execution rate ≤ 1.1, red rate > 1.1. Under treasury payment this is more
-- often a budget adjustment not yet imported than a fact; the message says so.
-- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per flagged project: project_code, project_name, department_code,
--          department, is_sensitive, rule, severity, sub_rules, value, threshold,
--          adjusted_budget_yuan, spent_yuan, execution_rate, time_progress, pace, gap_pp
with

limits as (
    select
        max(value) filter (where name = 'yellow_above') as yellow_above,
        max(value) filter (where name = 'red_above') as red_above
    from thresholds
    where rule_id = 'over_budget'
),

projects_in_scope as (
    select * from scoped_projects($year, $scope_departments, $scope_sensitive)
),

judged as (
    select
        p.project_code, p.project_name, p.department_code, p.department_name as department,
        p.is_effectively_sensitive as is_sensitive,
        e.*,
        case
            when e.execution_rate > l.red_above then 'red'
            when e.execution_rate > l.yellow_above then 'yellow'
        end as severity,
        case when e.execution_rate > l.red_above then l.red_above else l.yellow_above end as threshold
    from projects_in_scope as p
    inner join execution_exact($year, $month) as e using (project_code)
    cross join limits as l
    where e.adjusted_budget_yuan > 0
),

final as (
    select
        project_code, project_name, department_code, department, is_sensitive,
        'over_budget' as rule,
        severity,
        'rate' as sub_rules,
        execution_rate::double as value,
        threshold::double as threshold,
        adjusted_budget_yuan, spent_yuan,
        execution_rate::double as execution_rate,
        time_progress::double as time_progress,
        pace::double as pace,
        gap_pp::double as gap_pp
    from judged
    where severity is not null
)

select * from final
order by department_code, project_code
