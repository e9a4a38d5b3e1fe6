-- Rule data_quality (数据质量) at the end of a month: what stops a figure from being trusted.
-- Sub-rules: no_targets (未申报绩效目标), no_cost_indicator, points_not_90 (the file's points of
-- the applicable indicators do not sum to 90), not_reported (未报送: no spending row for the
-- month or later), indicator_unreported (未填报: an applicable indicator with no value at all
-- in the year up to the month; one reported earlier stands on that value),
-- spending_on_zero_budget. One flag per project naming every sub-rule that fired; shown
-- beside a project's light, never mixed into it.
-- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per flagged project: project_code, project_name, department_code,
--          department, is_sensitive, rule, severity, sub_rules, value, threshold,
--          indicator_count, points_total, has_cost_indicator, last_reported_month,
--          unreported_indicator_count, spent_yuan, adjusted_budget_yuan
with

projects_in_scope as (
    select * from scoped_projects($year, $scope_departments, $scope_sensitive)
),

indicator_facts as (
    select
        project_code,
        count(*) filter (where operator <> '不适用') as indicator_count,
        sum(points) filter (where operator <> '不适用') as points_total,
        count(points) filter (where operator <> '不适用') as points_given_count,
        bool_or(level1 = '成本指标' or level2 = '成本指标') as has_cost_indicator
    from indicators
    where year = $year
    group by project_code
),

unreported_indicators as (
    select project_code, count(*) as unreported_indicator_count
    from indicator_standing($year, $month)
    where operator <> '不适用' and not has_actual
    group by project_code
),

facts as (
    select
        p.project_code, p.project_name, p.department_code, p.department_name as department,
        p.is_effectively_sensitive as is_sensitive,
        coalesce(f.indicator_count, 0) as indicator_count,
        f.points_total,
        f.points_given_count,
        coalesce(f.has_cost_indicator, false) as has_cost_indicator,
        e.last_reported_month,
        e.is_reported,
        coalesce(u.unreported_indicator_count, 0) as unreported_indicator_count,
        e.spent_yuan,
        e.adjusted_budget_yuan
    from projects_in_scope as p
    inner join execution_exact($year, $month) as e using (project_code)
    left join indicator_facts as f using (project_code)
    left join unreported_indicators as u using (project_code)
),

judged as (
    select
        *,
        concat_ws(',',
            case when indicator_count = 0 then 'no_targets' end,
            case when indicator_count > 0 and not has_cost_indicator then 'no_cost_indicator' end,
            case when points_given_count > 0 and points_total <> 90 then 'points_not_90' end,
            case when not is_reported then 'not_reported' end,
            case when indicator_count > 0 and unreported_indicator_count > 0 then 'indicator_unreported' end,
            case when adjusted_budget_yuan = 0 and spent_yuan <> 0 then 'spending_on_zero_budget' end
        ) as sub_rules
    from facts
),

final as (
    select
        project_code, project_name, department_code, department, is_sensitive,
        'data_quality' as rule,
        'red' as severity,
        sub_rules,
        -- the figure of the first sub-rule that fired, for sorting and export
        case
            when sub_rules like 'no_targets%' then 0
            when sub_rules like 'no_cost_indicator%' then indicator_count
            when sub_rules like 'points_not_90%' then points_total
            when sub_rules like 'not_reported%' then coalesce(last_reported_month, 0)
            when sub_rules like 'indicator_unreported%' then unreported_indicator_count
            else spent_yuan
        end::double as value,
        case when sub_rules like 'points_not_90%' then 90 end::double as threshold,
        indicator_count,
        points_total::double as points_total,
        has_cost_indicator,
        last_reported_month,
        unreported_indicator_count,
        spent_yuan,
        adjusted_budget_yuan
    from judged
    where sub_rules <> ''
)

select * from final
order by department_code, project_code
