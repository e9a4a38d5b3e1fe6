-- Year-end forecast of each project's spending at the end of a month, from how its unit spent
-- in earlier years: typical share s(m) = Σ spending to month m ÷ Σ full-year spending over the
-- unit's projects of all earlier years with December data (pooled), or the same over every
-- project of the district when the unit has too little history (fewer than min_curve_projects
-- earlier projects: one project's quirks are not a curve). Forecast = spent to date ÷ s(m);
-- forecast balance rate = 1 − forecast ÷ adjusted budget; flagged at ≥ 20% (large_balance red).
-- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per project in scope: project_code, project_name, department_code,
--          department, unit_code, adjusted_budget_yuan, spent_yuan, execution_rate,
--          curve_source, curve_years, curve_project_count, typical_share, forecast_spend_yuan,
--          forecast_execution_rate, forecast_balance_rate, is_flagged
with

limits as (
    select
        max(value) filter (where rule_id = 'large_balance' and name = 'red_at') as flag_at,
        max(value) filter (where rule_id = 'forecast' and name = 'min_curve_projects') as min_curve_projects
    from thresholds
),

projects_in_scope as (
    select * from scoped_projects($year, $scope_departments, $scope_sensitive)
),

-- cumulative spend per earlier-year project at month m and at December, carried forward
history_keys as (
    select
        s.year, s.project_code, s.fund_source, s.economic_class,
        arg_max(s.cumulative_yuan, s.month) filter (where s.month <= $month) as spent_to_month,
        arg_max(s.cumulative_yuan, s.month) as spent_full_year,
        max(s.month) as last_month
    from spending as s
    where s.year < $year
    group by all
),

history_projects as (
    select
        h.year, h.project_code, p.unit_code,
        coalesce(sum(h.spent_to_month), 0) as spent_to_month,
        sum(h.spent_full_year) as spent_full_year
    from history_keys as h
    inner join projects as p on p.year = h.year and p.project_code = h.project_code
    group by h.year, h.project_code, p.unit_code
    -- only complete years teach the curve
    having max(h.last_month) = 12 and sum(h.spent_full_year) > 0
),

unit_curves as (
    select
        unit_code,
        exact_ratio(sum(spent_to_month), sum(spent_full_year)) as typical_share,
        string_agg(distinct year::varchar, ',' order by year::varchar) as curve_years,
        count(*) as curve_project_count
    from history_projects
    where unit_code is not null
    group by unit_code
    having count(*) >= (select min_curve_projects from limits)
),

district_curve as (
    select
        exact_ratio(sum(spent_to_month), sum(spent_full_year)) as typical_share,
        string_agg(distinct year::varchar, ',' order by year::varchar) as curve_years,
        count(*) as curve_project_count
    from history_projects
),

forecasts as (
    select
        p.project_code, p.project_name, p.department_code, p.department_name as department,
        p.unit_code,
        e.adjusted_budget_yuan, e.spent_yuan, e.execution_rate,
        case when u.typical_share > 0 then 'unit'
             when d.typical_share > 0 then 'district' end as curve_source,
        case when u.typical_share > 0 then u.curve_years else d.curve_years end as curve_years,
        case when u.typical_share > 0 then u.curve_project_count
             else d.curve_project_count end as curve_project_count,
        case when u.typical_share > 0 then u.typical_share
             when d.typical_share > 0 then d.typical_share end as typical_share
    from projects_in_scope as p
    inner join execution_exact($year, $month) as e using (project_code)
    left join unit_curves as u using (unit_code)
    cross join district_curve as d
),

projected as (
    select
        f.*,
        -- once the month is past, the year-to-date is the floor of the forecast
        case when f.typical_share > 0
             then greatest(exact_ratio(f.spent_yuan, f.typical_share), f.spent_yuan)
        end as forecast_spend_yuan
    from forecasts as f
),

final as (
    select
        project_code, project_name, department_code, department, unit_code,
        adjusted_budget_yuan, spent_yuan,
        execution_rate::double as execution_rate,
        curve_source, curve_years, curve_project_count,
        typical_share::double as typical_share,
        round(forecast_spend_yuan, 2)::decimal(18, 2) as forecast_spend_yuan,
        exact_ratio(forecast_spend_yuan, adjusted_budget_yuan)::double as forecast_execution_rate,
        exact_ratio(adjusted_budget_yuan - forecast_spend_yuan, adjusted_budget_yuan)::double
            as forecast_balance_rate,
        coalesce(exact_ratio(adjusted_budget_yuan - forecast_spend_yuan, adjusted_budget_yuan)
                 >= (select flag_at from limits), false) as is_flagged
    from projected
)

select * from final
order by department_code, project_code
