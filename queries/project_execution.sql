-- Execution of each project at the end of a month, against time progress (序时进度).
-- Rates use the adjusted (full-year) budget; a zero budget gives an empty rate.
-- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per project in scope: project_code, project_name, department_code,
--          department, unit_code, budget_type, category, service_class, is_key, is_sensitive,
--          initial_budget_yuan, adjusted_budget_yuan, spent_yuan, execution_rate,
--          time_progress, pace, gap_pp, last_reported_month, is_reported, forecast_yuan,
--          forecast_balance_rate
with

projects_in_scope as (
    select * from scoped_projects($year, $scope_departments, $scope_sensitive)
),

final as (
    select
        p.project_code,
        p.project_name,
        p.department_code,
        p.department_name as department,
        p.unit_code,
        p.budget_type,
        p.category,
        p.service_class,
        p.is_key,
        p.is_effectively_sensitive as is_sensitive,
        p.initial_budget_yuan,
        p.adjusted_budget_yuan,
        e.spent_yuan,
        e.execution_rate::double as execution_rate,
        e.time_progress::double as time_progress,
        e.pace::double as pace,
        e.gap_pp::double as gap_pp,
        e.last_reported_month,
        e.is_reported,
        e.forecast_yuan,
        e.forecast_balance_rate::double as forecast_balance_rate
    from projects_in_scope as p
    inner join execution_exact($year, $month) as e using (project_code)
)

select * from final
order by department_code, project_code
