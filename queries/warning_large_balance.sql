-- Rule large_balance (资金结余较多) at the end of a month. In-year, on the forecast balance rate
-- (adjusted budget − 全年预计执行数) ÷ adjusted budget, only where a forecast was imported; at
-- month 12 on the 结转结余率 1 − execution rate. Yellow ≥ 10%, red ≥ 20%.
-- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per flagged project: project_code, project_name, department_code,
--          department, is_sensitive, rule, severity, sub_rules, value, threshold,
--          adjusted_budget_yuan, spent_yuan, execution_rate, forecast_yuan, balance_yuan
with

limits as (
    select
        max(value) filter (where name = 'yellow_at') as yellow_at,
        max(value) filter (where name = 'red_at') as red_at
    from thresholds
    where rule_id = 'large_balance'
),

projects_in_scope as (
    select * from scoped_projects($year, $scope_departments, $scope_sensitive)
),

balances as (
    select
        p.project_code, p.project_name, p.department_code, p.department_name as department,
        p.is_effectively_sensitive as is_sensitive,
        e.adjusted_budget_yuan, e.spent_yuan, e.execution_rate, e.forecast_yuan,
        case when $month = 12 then 'year_end' else 'forecast' end as basis,
        case when $month = 12 then 1 - e.execution_rate else e.forecast_balance_rate end as balance_rate,
        case when $month = 12 then e.adjusted_budget_yuan - e.spent_yuan
             else e.adjusted_budget_yuan - e.forecast_yuan end as balance_yuan,
        l.yellow_at, l.red_at
    from projects_in_scope as p
    inner join execution_exact($year, $month) as e using (project_code)
    cross join limits as l
    where e.adjusted_budget_yuan > 0
      and ($month = 12 and e.is_reported or $month < 12 and e.forecast_yuan is not null)
),

final as (
    select
        project_code, project_name, department_code, department, is_sensitive,
        'large_balance' as rule,
        case when balance_rate >= red_at then 'red' else 'yellow' end as severity,
        basis as sub_rules,
        balance_rate::double as value,
        case when balance_rate >= red_at then red_at else yellow_at end::double as threshold,
        adjusted_budget_yuan, spent_yuan,
        execution_rate::double as execution_rate,
        forecast_yuan,
        balance_yuan::decimal(18, 2) as balance_yuan
    from balances
    where balance_rate >= yellow_at
)

select * from final
order by department_code, project_code
