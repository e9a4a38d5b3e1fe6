-- Rule cost_above_reference (单位成本高于标准) for a year: unit cost = total cost ÷ output
-- quantity (from the 成本 table); the reference is the 成本定额标准 of the project's 一类事
-- class and output unit for the year, else the median unit cost of the class (same year,
-- class and output unit, the project included) when it has at least min_peers projects
-- (macro cost_project_figures, the one definition the cost pages and reports read too).
-- Deviation d = unit cost ÷ reference − 1: yellow 0.1 < d ≤ 0.2, red d > 0.2. The medians are
-- taken over every project, not only those in scope: a benchmark must not move with the user.
-- Costs are annual, so the flag does not depend on the as-of month.
-- params:  $year INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per flagged project: project_code, project_name, department_code,
--          department, is_sensitive, rule, severity, sub_rules, value, threshold,
--          service_class, output_unit, total_cost_yuan, output_quantity, unit_cost_yuan,
--          reference_unit_cost_yuan, peer_count
with

limits as (
    select
        max(value) filter (where name = 'yellow_above') as yellow_above,
        max(value) filter (where name = 'red_above') as red_above
    from thresholds
    where rule_id = 'cost_above_reference'
),

-- the unit cost and its reference (the standard, else the class median with enough peers)
-- as the macro cost_project_figures defines them for every page and report
deviations as (
    select
        f.*,
        case f.reference_basis when 'standard' then 'standard' when 'median' then 'peer_median' end as basis,
        f.reference_unit_cost as reference,
        f.project_count as peer_count,
        l.yellow_above, l.red_above
    from cost_project_figures($year) as f
    cross join limits as l
    where f.reference_unit_cost > 0
),

final as (
    select
        p.project_code, p.project_name, p.department_code, p.department_name as department,
        p.is_effectively_sensitive as is_sensitive,
        'cost_above_reference' as rule,
        case when d.deviation > d.red_above then 'red' else 'yellow' end as severity,
        d.basis as sub_rules,
        d.deviation::double as value,
        case when d.deviation > d.red_above then d.red_above else d.yellow_above end::double as threshold,
        d.service_class, d.output_unit,
        d.total_cost_yuan::decimal(18, 2) as total_cost_yuan,
        d.output_quantity::double as output_quantity,
        d.unit_cost::double as unit_cost_yuan,
        d.reference::double as reference_unit_cost_yuan,
        d.peer_count
    from deviations as d
    inner join scoped_projects($year, $scope_departments, $scope_sensitive) as p using (project_code)
    where d.deviation > d.yellow_above
)

select * from final
order by department_code, project_code
