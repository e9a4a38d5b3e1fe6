-- Projects marked 「下年预算重点审核」 (a close look at next year's budget) from a year's
-- results: a self-evaluation graded 差, or a large balance at year end (结转结余率 = 1 −
-- execution rate at December ≥ the large_balance yellow line) in this year and in the
-- previous year too. The previous year's project is the one with the same code, else the one
-- with the same department, unit and name (codes that carry the year change every year).
-- Year-end figures need December spending: a project without it has no balance rate.
-- Only a complete self-evaluation has a grade (docs/figures.md#self-evaluation-status): an incomplete one
-- or none is never marked for its grade; selfeval_status says which it is.
-- params:  $year INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per marked project: project_code, project_name, department_code,
--          department, adjusted_budget_yuan, grade, total_score, balance_rate,
--          previous_project_code, previous_balance_rate, is_grade_poor,
--          is_balance_two_years, reasons, selfeval_status
with

limits as (
    select max(value) filter (where name = 'yellow_at') as balance_at
    from thresholds
    where rule_id = 'large_balance'
),

projects_in_scope as (
    select * from scoped_projects($year, $scope_departments, $scope_sensitive)
),

-- 结转结余率 of every project with December data, this year and the previous one
year_end as (
    select
        e.project_code, e.adjusted_budget_yuan,
        1 - e.execution_rate as balance_rate
    from execution_exact($year, 12) as e
    where e.is_reported and e.adjusted_budget_yuan > 0
),

previous_year_end as (
    select
        p.project_code, p.department_code, p.unit_code, p.project_name,
        1 - e.execution_rate as balance_rate
    from execution_exact($year - 1, 12) as e
    inner join projects as p on p.year = $year - 1 and p.project_code = e.project_code
    where e.is_reported and e.adjusted_budget_yuan > 0
),

-- the same project a year earlier: same code first, else same department, unit and name
matched as (
    select
        p.project_code,
        coalesce(by_code.project_code, by_name.project_code) as previous_project_code,
        coalesce(by_code.balance_rate, by_name.balance_rate) as previous_balance_rate
    from projects_in_scope as p
    left join previous_year_end as by_code on by_code.project_code = p.project_code
    left join previous_year_end as by_name
        on by_code.project_code is null
        and by_name.department_code = p.department_code
        and by_name.unit_code is not distinct from p.unit_code
        and by_name.project_name = p.project_name
    -- two earlier projects of the same name: take one, never count a project twice
    qualify row_number() over (partition by p.project_code order by by_name.project_code) = 1
),

judged as (
    select
        p.project_code, p.project_name, p.department_code, p.department_name as department,
        p.adjusted_budget_yuan,
        s.grade,
        s.total_score,
        s.status as selfeval_status,
        y.balance_rate,
        m.previous_project_code,
        m.previous_balance_rate,
        coalesce(s.grade = '差', false) as is_grade_poor,
        coalesce(y.balance_rate >= l.balance_at and m.previous_balance_rate >= l.balance_at, false)
            as is_balance_two_years
    from projects_in_scope as p
    cross join limits as l
    left join selfeval_exact($year) as s using (project_code)
    left join year_end as y using (project_code)
    left join matched as m using (project_code)
),

final as (
    select
        project_code, project_name, department_code, department, adjusted_budget_yuan, grade,
        round(total_score, 2)::double as total_score,
        balance_rate::double as balance_rate,
        previous_project_code,
        previous_balance_rate::double as previous_balance_rate,
        is_grade_poor,
        is_balance_two_years,
        concat_ws(',',
            case when is_grade_poor then 'grade_poor' end,
            case when is_balance_two_years then 'balance_two_years' end) as reasons,
        selfeval_status
    from judged
    where is_grade_poor or is_balance_two_years
)

select * from final
order by department_code, project_code
