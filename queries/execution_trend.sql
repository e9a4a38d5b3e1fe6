-- Month-by-month execution of the projects in scope (optionally one department) from January
-- to the as-of month, with the time-progress line. Cumulative spend is carried forward per
-- fund/economic key over months without a row.
-- params:  $year INTEGER, $month INTEGER, $department_code VARCHAR, $scope_departments VARCHAR[],
--          $scope_sensitive BOOLEAN
-- returns: one row per month 1..$month: month, adjusted_budget_yuan, spent_yuan,
--          period_spent_yuan, execution_rate, time_progress
with

projects_in_scope as (
    select project_code, adjusted_budget_yuan
    from scoped_projects($year, $scope_departments, $scope_sensitive)
    where $department_code is null or department_code = $department_code
),

months as (
    select unnest(range(1, $month + 1))::integer as month
),

spending_in_scope as (
    select s.project_code, s.fund_source, s.economic_class, s.month, s.cumulative_yuan
    from spending as s
    semi join projects_in_scope using (project_code)
    where s.year = $year and s.month <= $month
),

key_months as (
    select k.project_code, k.fund_source, k.economic_class, m.month
    from (select distinct project_code, fund_source, economic_class from spending_in_scope) as k
    cross join months as m
),

carried as (
    select g.month, s.cumulative_yuan
    from key_months as g
    asof left join spending_in_scope as s
        on g.project_code = s.project_code
       and g.fund_source = s.fund_source
       and g.economic_class = s.economic_class
       and g.month >= s.month
),

spent_by_month as (
    select m.month, coalesce(sum(c.cumulative_yuan), 0)::decimal(18, 2) as spent_yuan
    from months as m
    left join carried as c using (month)
    group by m.month
),

budget as (
    select sum(adjusted_budget_yuan)::decimal(18, 2) as adjusted_budget_yuan from projects_in_scope
),

final as (
    select
        s.month,
        b.adjusted_budget_yuan,
        s.spent_yuan,
        (s.spent_yuan - coalesce(lag(s.spent_yuan) over (order by s.month), 0))::decimal(18, 2)
            as period_spent_yuan,
        exact_ratio(s.spent_yuan, b.adjusted_budget_yuan)::double as execution_rate,
        exact_ratio(tp.tp_num, tp.tp_den)::double as time_progress
    from spent_by_month as s
    cross join budget as b
    cross join lateral (select * from time_progress_parts($year, s.month)) as tp
)

select * from final
order by month
