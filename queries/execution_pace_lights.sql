-- The pace light (进度灯) of every district, department and project in scope at the end of a
-- month, for colouring tables and bars: pace R = execution rate ÷ time progress against the
-- slow_spending thresholds (red R < 0.6, yellow 0.6 ≤ R < 0.8, else green), as scope_summary
-- colours the whole scope. Grey when there is no pace (a zero budget) or, for a project, when
-- it has not reported spending for the month (未报送).
-- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per district, department and project in scope: level ('district',
--          'department' or 'project'), key (district name, department_code or project_code),
--          pace, pace_light
with

projects_in_scope as (
    select * from scoped_projects($year, $scope_departments, $scope_sensitive)
),

tp as (
    select tp_num, tp_den from time_progress_parts($year, $month)
),

project_figures as (
    select
        p.project_code,
        p.department_code,
        coalesce(d.district_name, '（未指定区）') as district,
        e.adjusted_budget_yuan,
        e.spent_yuan,
        e.pace,
        e.is_reported
    from projects_in_scope as p
    inner join execution_exact($year, $month) as e using (project_code)
    left join departments as d using (department_code)
),

project_paces as (
    select 'project' as level, project_code as key, pace, is_reported
    from project_figures
),

department_paces as (
    select
        'department' as level,
        f.department_code as key,
        exact_ratio(sum(f.spent_yuan) * any_value(tp.tp_den),
                    sum(f.adjusted_budget_yuan) * any_value(tp.tp_num)) as pace,
        true as is_reported
    from project_figures as f
    cross join tp
    group by f.department_code
),

district_paces as (
    select
        'district' as level,
        f.district as key,
        exact_ratio(sum(f.spent_yuan) * any_value(tp.tp_den),
                    sum(f.adjusted_budget_yuan) * any_value(tp.tp_num)) as pace,
        true as is_reported
    from project_figures as f
    cross join tp
    group by f.district
),

all_paces as (
    select * from district_paces
    union all
    select * from department_paces
    union all
    select * from project_paces
),

final as (
    select
        a.level,
        a.key,
        a.pace::double as pace,
        case when a.is_reported then pace_light(a.pace) else 'grey' end as pace_light
    from all_paces as a
)

select * from final
order by level, key
