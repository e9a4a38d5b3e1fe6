-- Rectification items (整改) as they stand at the end of a month: due 30 days after feedback
-- (the due_days threshold); status open (not yet due), overdue (open past due), done (on
-- time) or done_late. Items fed back after the month are left out.
-- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per item: project_code, project_name, department_code, department, issue,
--          feedback_date, due_date, done_date, status, days_open, days_overdue
with

limits as (
    select max(value) filter (where name = 'due_days')::integer as due_days
    from thresholds
    where rule_id = 'rectification_overdue'
),

as_of as (
    select last_day(make_date($year, $month, 1)) as as_of_date
),

items as (
    select
        r.project_code, r.issue, r.feedback_date,
        (r.feedback_date + to_days(l.due_days))::date as due_date,
        case when r.done_date <= a.as_of_date then r.done_date end as done_date,
        a.as_of_date
    from rectifications as r
    cross join limits as l
    cross join as_of as a
    where r.feedback_date <= a.as_of_date
),

final as (
    select
        p.project_code, p.project_name, p.department_code, p.department_name as department,
        i.issue, i.feedback_date, i.due_date, i.done_date,
        case
            when i.done_date is not null and i.done_date <= i.due_date then 'done'
            when i.done_date is not null then 'done_late'
            when i.as_of_date > i.due_date then 'overdue'
            else 'open'
        end as status,
        datediff('day', i.feedback_date, coalesce(i.done_date, i.as_of_date)) as days_open,
        greatest(datediff('day', i.due_date, coalesce(i.done_date, i.as_of_date)), 0) as days_overdue
    from items as i
    inner join scoped_projects($year, $scope_departments, $scope_sensitive) as p using (project_code)
)

select * from final
order by department_code, project_code, feedback_date, issue
