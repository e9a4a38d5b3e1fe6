-- Rule rectification_overdue (整改逾期) at the end of a month: an item is due 30 days after its
-- feedback date; an item still open at the month's last day and past due is overdue by the
-- days since it was due: yellow 1–30 days, red > 30 days. One flag per project, naming its
-- most overdue item and how many are overdue.
-- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per flagged project: project_code, project_name, department_code,
--          department, is_sensitive, rule, severity, sub_rules, value, threshold, issue,
--          feedback_date, due_date, as_of_date, days_overdue, overdue_count
with

limits as (
    select
        max(value) filter (where name = 'due_days')::integer as due_days,
        max(value) filter (where name = 'red_after_days')::integer as red_after_days
    from thresholds
    where rule_id = 'rectification_overdue'
),

as_of as (
    select last_day(make_date($year, $month, 1)) as as_of_date
),

open_items as (
    select
        r.project_code, r.issue, r.feedback_date,
        (r.feedback_date + to_days(l.due_days))::date as due_date,
        a.as_of_date,
        datediff('day', (r.feedback_date + to_days(l.due_days))::date, a.as_of_date) as days_overdue,
        l.red_after_days
    from rectifications as r
    cross join limits as l
    cross join as_of as a
    where r.feedback_date <= a.as_of_date
      and (r.done_date is null or r.done_date > a.as_of_date)
),

ranked as (
    select
        o.*,
        count(*) over (partition by project_code) as overdue_count,
        row_number() over (partition by project_code order by days_overdue desc, issue asc) as rank_in_project
    from open_items as o
    where days_overdue >= 1
),

final as (
    select
        p.project_code, p.project_name, p.department_code, p.department_name as department,
        p.is_effectively_sensitive as is_sensitive,
        'rectification_overdue' as rule,
        case when r.days_overdue > r.red_after_days then 'red' else 'yellow' end as severity,
        'open_past_due' as sub_rules,
        r.days_overdue::double as value,
        case when r.days_overdue > r.red_after_days then r.red_after_days else 1 end::double as threshold,
        r.issue, r.feedback_date, r.due_date, r.as_of_date, r.days_overdue, r.overdue_count
    from ranked as r
    inner join scoped_projects($year, $scope_departments, $scope_sensitive) as p using (project_code)
    where r.rank_in_project = 1
)

select * from final
order by department_code, project_code
