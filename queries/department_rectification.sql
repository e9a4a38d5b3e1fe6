-- Rectification by department at the end of a month: how many items are open (not yet due),
-- overdue, done on time and done late, and the on-time rate over the items already due.
-- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per department with items: department_code, department, item_count,
--          open_count, overdue_count, done_count, done_late_count, on_time_rate,
--          max_days_overdue
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
        p.department_code, p.department_name as department,
        (r.feedback_date + to_days(l.due_days))::date as due_date,
        case when r.done_date <= a.as_of_date then r.done_date end as done_date,
        a.as_of_date
    from rectifications as r
    cross join limits as l
    cross join as_of as a
    inner join scoped_projects($year, $scope_departments, $scope_sensitive) as p using (project_code)
    where r.feedback_date <= a.as_of_date
),

counted as (
    select
        department_code,
        any_value(department) as department,
        count(*) as item_count,
        count(*) filter (where done_date is null and as_of_date <= due_date) as open_count,
        count(*) filter (where done_date is null and as_of_date > due_date) as overdue_count,
        count(*) filter (where done_date is not null and done_date <= due_date) as done_count,
        count(*) filter (where done_date > due_date) as done_late_count,
        max(datediff('day', due_date, as_of_date)) filter (
            where done_date is null and as_of_date > due_date) as max_days_overdue
    from items
    group by department_code
),

final as (
    select
        department_code, department, item_count, open_count, overdue_count, done_count,
        done_late_count,
        -- of the items already due (or done), the share done by their due date
        exact_ratio(done_count, done_count + done_late_count + overdue_count)::double as on_time_rate,
        coalesce(max_days_overdue, 0) as max_days_overdue
    from counted
)

select * from final
order by department_code
