-- Rule target_not_met (绩效目标未完成) at year end (only when the as-of month is 12), on each
-- indicator's attainment a (uncapped): red a < 0.6, yellow 0.6 ≤ a < 0.8, blue a ≥ 1.3 (the
-- target was likely set too low). One flag per project at its worst severity, naming its
-- worst indicator. A year-end judgement needs a year-end value: only the month-12 actual
-- counts (an indicator reported last in September is not judged on September's figure).
-- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per flagged project: project_code, project_name, department_code,
--          department, is_sensitive, rule, severity, sub_rules, value, threshold, indicator,
--          level2, target, actual, unit, reason, red_count, yellow_count, blue_count
with

limits as (
    select
        max(value) filter (where name = 'red_below') as red_below,
        max(value) filter (where name = 'yellow_below') as yellow_below,
        max(value) filter (where name = 'blue_at') as blue_at
    from thresholds
    where rule_id = 'target_not_met'
),

projects_in_scope as (
    select * from scoped_projects($year, $scope_departments, $scope_sensitive)
),

judged as (
    select
        i.*,
        case
            when i.attainment < l.red_below then 'red'
            when i.attainment < l.yellow_below then 'yellow'
            when i.attainment >= l.blue_at then 'blue'
        end as severity,
        case
            when i.attainment < l.red_below then l.red_below
            when i.attainment < l.yellow_below then l.yellow_below
            else l.blue_at
        end as threshold
    from indicator_year_end($year) as i
    cross join limits as l
    where $month = 12
      and i.attainment is not null
      and i.operator <> '不适用'
),

ranked as (
    select
        j.*,
        count(*) filter (where severity = 'red') over w as red_count,
        count(*) filter (where severity = 'yellow') over w as yellow_count,
        count(*) filter (where severity = 'blue') over w as blue_count,
        row_number() over (
            partition by project_code
            order by case severity when 'red' then 3 when 'yellow' then 2 else 1 end desc,
                     case when severity = 'blue' then -attainment else attainment end asc,
                     level1 asc, level2 asc, indicator_name asc
        ) as rank_in_project
    from judged as j
    where severity is not null
    window w as (partition by project_code)
),

final as (
    select
        p.project_code, p.project_name, p.department_code, p.department_name as department,
        p.is_effectively_sensitive as is_sensitive,
        'target_not_met' as rule,
        r.severity,
        case when r.severity = 'blue' then 'target_too_low' else 'not_met' end as sub_rules,
        r.attainment::double as value,
        r.threshold::double as threshold,
        r.indicator_name as indicator,
        r.level2,
        coalesce(r.target_text, r.target_value::varchar) as target,
        coalesce(r.actual_text, r.actual_value::varchar) as actual,
        r.unit,
        r.reason,
        r.red_count, r.yellow_count, r.blue_count
    from ranked as r
    inner join projects_in_scope as p using (project_code)
    where r.rank_in_project = 1
)

select * from final
order by department_code, project_code
