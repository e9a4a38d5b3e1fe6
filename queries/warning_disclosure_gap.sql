-- Rule disclosure_gap (信息公开不足) for a year: a project with an initial budget of 500万元 or
-- more whose performance targets are not disclosed; and a department whose disclosed projects
-- cover less than 50% of its non-sensitive project budget (年初预算). Sensitive projects, and
-- projects of sensitive departments, are never disclosed and are left out of both tests.
-- A department flag has an empty project_code.
-- params:  $year INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per flagged project or department: project_code, project_name,
--          department_code, department, is_sensitive, rule, severity, sub_rules, value,
--          threshold, initial_budget_yuan, disclosed_budget_yuan, department_budget_yuan
with

limits as (
    select
        max(value) filter (where name = 'min_budget_yuan') as min_budget_yuan,
        max(value) filter (where name = 'min_coverage') as min_coverage
    from thresholds
    where rule_id = 'disclosure_gap'
),

-- disclosure concerns only what may be public: sensitive projects are out whatever the scope
public_projects as (
    select *
    from scoped_projects($year, $scope_departments, $scope_sensitive)
    where not is_effectively_sensitive
),

project_gaps as (
    select
        p.project_code, p.project_name, p.department_code, p.department_name as department,
        false as is_sensitive,
        'disclosure_gap' as rule,
        'red' as severity,
        'project_not_disclosed' as sub_rules,
        p.initial_budget_yuan::double as value,
        l.min_budget_yuan::double as threshold,
        p.initial_budget_yuan,
        null::decimal(18, 2) as disclosed_budget_yuan,
        null::decimal(18, 2) as department_budget_yuan
    from public_projects as p
    cross join limits as l
    where p.initial_budget_yuan >= l.min_budget_yuan and not p.targets_disclosed
),

department_coverage as (
    select
        department_code,
        any_value(department_name) as department,
        sum(coalesce(initial_budget_yuan, 0)) as department_budget_yuan,
        sum(coalesce(initial_budget_yuan, 0)) filter (where targets_disclosed) as disclosed_budget_yuan
    from public_projects
    group by department_code
),

department_gaps as (
    select
        null::varchar as project_code,
        null::varchar as project_name,
        d.department_code, d.department,
        false as is_sensitive,
        'disclosure_gap' as rule,
        'red' as severity,
        'department_coverage' as sub_rules,
        exact_ratio(coalesce(d.disclosed_budget_yuan, 0), d.department_budget_yuan)::double as value,
        l.min_coverage::double as threshold,
        null::decimal(18, 2) as initial_budget_yuan,
        coalesce(d.disclosed_budget_yuan, 0)::decimal(18, 2) as disclosed_budget_yuan,
        d.department_budget_yuan::decimal(18, 2) as department_budget_yuan
    from department_coverage as d
    cross join limits as l
    where d.department_budget_yuan > 0
      and exact_ratio(coalesce(d.disclosed_budget_yuan, 0), d.department_budget_yuan) < l.min_coverage
),

final as (
    select * from project_gaps
    union all by name
    select * from department_gaps
)

select * from final
order by department_code, project_code nulls first
