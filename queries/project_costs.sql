-- The cost picture of each project with costs for a year: total and itemised cost, output
-- quantity, unit cost, and the reference it is judged against (the class's 成本定额标准, else
-- the class median when there are enough peers), as in cost_above_reference.
-- params:  $year INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per project and cost item: project_code, project_name, department_code,
--          department, service_class, cost_item, amount_yuan, total_cost_yuan,
--          output_quantity, output_unit, unit_cost_yuan, standard_unit_cost_yuan,
--          peer_median_unit_cost_yuan, peer_count, item_share, reference_basis,
--          reference_unit_cost_yuan, deviation
with

projects_in_scope as (
    select * from scoped_projects($year, $scope_departments, $scope_sensitive)
),

-- unit cost, peers and reference as the macros define them for the cost_above_reference rule
-- and the 成本分析 page (docs/figures.md#cost-benchmarking): one definition
figures as (
    select * from cost_project_figures($year)
),

classes as (
    select service_class, output_unit, median_unit_cost, project_count
    from cost_class_stats($year)
),

final as (
    select
        p.project_code, p.project_name, p.department_code, p.department_name as department,
        p.service_class,
        c.cost_item,
        c.amount_yuan,
        f.total_cost_yuan::decimal(18, 2) as total_cost_yuan,
        f.output_quantity::double as output_quantity,
        f.output_unit,
        f.unit_cost::double as unit_cost_yuan,
        s.standard_unit_cost_yuan::double as standard_unit_cost_yuan,
        k.median_unit_cost::double as peer_median_unit_cost_yuan,
        k.project_count as peer_count,
        exact_ratio(c.amount_yuan, f.total_cost_yuan)::double as item_share,
        -- the same reference as cost_above_reference: the standard, else the class median
        -- when the class has enough peers; none for a project left out of the comparison
        case f.reference_basis when 'standard' then 'standard' when 'median' then 'peer_median' end
            as reference_basis,
        f.reference_unit_cost::double as reference_unit_cost_yuan,
        f.deviation::double as deviation
    from costs as c
    inner join projects_in_scope as p using (project_code)
    inner join figures as f using (project_code)
    left join classes as k
        on k.service_class = f.service_class and k.output_unit = f.output_unit
    left join cost_standards as s
        on s.year = $year and s.service_class = p.service_class and s.output_unit = f.output_unit
    where c.year = $year
)

select * from final
order by department_code, project_code, cost_item
