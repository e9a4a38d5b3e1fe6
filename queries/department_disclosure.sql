-- Disclosure (信息公开) by department for a year: projects with an initial budget of 500万元 or
-- more must disclose their targets, and disclosed projects must cover at least 50% of the
-- department's non-sensitive project budget (年初预算). Sensitive projects are left out.
-- params:  $year INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per department: department_code, department, project_count,
--          large_project_count, large_undisclosed_count, disclosed_budget_yuan,
--          total_budget_yuan, coverage, min_coverage, meets_coverage
with

limits as (
    select
        max(value) filter (where name = 'min_budget_yuan') as min_budget_yuan,
        max(value) filter (where name = 'min_coverage') as min_coverage
    from thresholds
    where rule_id = 'disclosure_gap'
),

public_projects as (
    select *
    from scoped_projects($year, $scope_departments, $scope_sensitive)
    where not is_effectively_sensitive
),

counted as (
    select
        p.department_code,
        any_value(p.department_name) as department,
        count(*) as project_count,
        count(*) filter (where p.initial_budget_yuan >= l.min_budget_yuan) as large_project_count,
        count(*) filter (where p.initial_budget_yuan >= l.min_budget_yuan and not p.targets_disclosed)
            as large_undisclosed_count,
        coalesce(sum(p.initial_budget_yuan) filter (where p.targets_disclosed), 0)::decimal(18, 2)
            as disclosed_budget_yuan,
        coalesce(sum(p.initial_budget_yuan), 0)::decimal(18, 2) as total_budget_yuan,
        any_value(l.min_coverage) as min_coverage
    from public_projects as p
    cross join limits as l
    group by p.department_code
),

final as (
    select
        department_code, department, project_count, large_project_count, large_undisclosed_count,
        disclosed_budget_yuan, total_budget_yuan,
        exact_ratio(disclosed_budget_yuan, total_budget_yuan)::double as coverage,
        min_coverage::double as min_coverage,
        coalesce(exact_ratio(disclosed_budget_yuan, total_budget_yuan) >= min_coverage, true)
            as meets_coverage
    from counted
)

select * from final
order by department_code
