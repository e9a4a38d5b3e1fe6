-- The monthly cumulative spending curve of one project against time progress, January to
-- December (months after the last report are empty, not zero).
-- params:  $year INTEGER, $project_code VARCHAR, $scope_departments VARCHAR[],
--          $scope_sensitive BOOLEAN
-- returns: one row per month 1..12: month, adjusted_budget_yuan, spent_yuan,
--          period_spent_yuan, execution_rate, time_progress, is_reported
with

project as (
    select project_code, adjusted_budget_yuan
    from scoped_projects($year, $scope_departments, $scope_sensitive)
    where project_code = $project_code
),

months as (
    select unnest(range(1, 13))::integer as month
),

project_spending as (
    select s.fund_source, s.economic_class, s.month, s.cumulative_yuan
    from spending as s
    semi join project using (project_code)
    where s.year = $year
),

last_report as (
    select max(month) as last_month from project_spending
),

key_months as (
    select k.fund_source, k.economic_class, m.month
    from (select distinct fund_source, economic_class from project_spending) as k
    cross join months as m
),

carried as (
    select g.month, s.cumulative_yuan
    from key_months as g
    asof left join project_spending as s
        on g.fund_source = s.fund_source
       and g.economic_class = s.economic_class
       and g.month >= s.month
),

spent_by_month as (
    select m.month, sum(c.cumulative_yuan)::decimal(18, 2) as spent_yuan
    from months as m
    left join carried as c using (month)
    group by m.month
),

final as (
    select
        s.month,
        p.adjusted_budget_yuan,
        case when s.month <= l.last_month then coalesce(s.spent_yuan, 0) end::decimal(18, 2) as spent_yuan,
        case when s.month <= l.last_month
             then coalesce(s.spent_yuan, 0) - coalesce(lag(s.spent_yuan) over (order by s.month), 0)
        end::decimal(18, 2) as period_spent_yuan,
        case when s.month <= l.last_month
             then exact_ratio(coalesce(s.spent_yuan, 0), p.adjusted_budget_yuan) end::double as execution_rate,
        exact_ratio(tp.tp_num, tp.tp_den)::double as time_progress,
        coalesce(s.month <= l.last_month, false) as is_reported
    from spent_by_month as s
    cross join project as p
    cross join last_report as l
    cross join lateral (select * from time_progress_parts($year, s.month)) as tp
)

select * from final
order by month
