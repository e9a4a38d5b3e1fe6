-- Rule indicator_behind (绩效目标执行偏离) at the end of a month, on each indicator's in-year
-- progress v: red v < 0.6, yellow 0.6 ≤ v < 0.8, blue v ≥ 1.2 (far ahead: a credibility
-- check). One flag per project at its worst severity (red > yellow > blue), naming its worst
-- indicator and how many indicators are behind or ahead. Applies from the first warning month.
-- Each indicator stands on its latest actual at or before the month (actual_month), judged
-- against that month's time progress.
-- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per flagged project: project_code, project_name, department_code,
--          department, is_sensitive, rule, severity, sub_rules, value, threshold, indicator,
--          level2, target, actual, unit, reason, red_count, yellow_count, blue_count,
--          actual_month
with

limits as (
    select
        max(value) filter (where name = 'red_below') as red_below,
        max(value) filter (where name = 'yellow_below') as yellow_below,
        max(value) filter (where name = 'blue_at') as blue_at,
        (select g.value from thresholds as g
         where g.rule_id = 'general' and g.name = 'first_warning_month') as first_warning_month
    from thresholds
    where rule_id = 'indicator_behind'
),

projects_in_scope as (
    select * from scoped_projects($year, $scope_departments, $scope_sensitive)
),

judged as (
    select
        i.*,
        case
            when i.progress < l.red_below then 'red'
            when i.progress < l.yellow_below then 'yellow'
            when i.progress >= l.blue_at then 'blue'
        end as severity,
        case
            when i.progress < l.red_below then l.red_below
            when i.progress < l.yellow_below then l.yellow_below
            else l.blue_at
        end as threshold
    from indicator_standing($year, $month) as i
    cross join limits as l
    where i.progress is not null
      and i.operator <> '不适用'
      and $month >= l.first_warning_month
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
                     case when severity = 'blue' then -progress else progress end asc,
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
        'indicator_behind' as rule,
        r.severity,
        case when r.severity = 'blue' then 'ahead' else 'behind' end as sub_rules,
        r.progress::double as value,
        r.threshold::double as threshold,
        r.indicator_name as indicator,
        r.level2,
        coalesce(r.target_text, r.target_value::varchar) as target,
        coalesce(r.actual_text, r.actual_value::varchar) as actual,
        r.unit,
        r.reason,
        r.red_count, r.yellow_count, r.blue_count,
        r.actual_month
    from ranked as r
    inner join projects_in_scope as p using (project_code)
    where r.rank_in_project = 1
)

select * from final
order by department_code, project_code
