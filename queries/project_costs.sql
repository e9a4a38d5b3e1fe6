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

totals as (
    select
        c.project_code,
        sum(c.amount_yuan) as total_cost_yuan,
        min(c.output_quantity) as output_quantity,
        any_value(c.output_unit) as output_unit
    from costs as c
    where c.year = $year
    group by c.project_code
),

unit_costs as (
    select t.*, p.service_class, exact_ratio(t.total_cost_yuan, t.output_quantity) as unit_cost
    from totals as t
    inner join projects as p on p.year = $year and p.project_code = t.project_code
    where t.output_quantity > 0
),

peers as (
    select
        service_class, output_unit,
        count(*) as peer_count,
        median(unit_cost::double) as peer_median
    from unit_costs
    where service_class is not null
    group by service_class, output_unit
),

min_peers as (
    select value as min_peers
    from thresholds
    where rule_id = 'cost_above_reference' and name = 'min_peers'
),

final as (
    select
        p.project_code, p.project_name, p.department_code, p.department_name as department,
        p.service_class,
        c.cost_item,
        c.amount_yuan,
        t.total_cost_yuan::decimal(18, 2) as total_cost_yuan,
        t.output_quantity::double as output_quantity,
        t.output_unit,
        u.unit_cost::double as unit_cost_yuan,
        s.standard_unit_cost_yuan::double as standard_unit_cost_yuan,
        pe.peer_median as peer_median_unit_cost_yuan,
        pe.peer_count,
        exact_ratio(c.amount_yuan, t.total_cost_yuan)::double as item_share,
        -- the same reference as cost_above_reference: the standard, else the class median
        -- when the class has enough peers
        case when s.standard_unit_cost_yuan is not null then 'standard'
             when pe.peer_count >= m.min_peers then 'peer_median' end as reference_basis,
        case when s.standard_unit_cost_yuan is not null then s.standard_unit_cost_yuan::double
             when pe.peer_count >= m.min_peers then pe.peer_median end as reference_unit_cost_yuan,
        case when s.standard_unit_cost_yuan is not null
                 then exact_ratio(u.unit_cost - s.standard_unit_cost_yuan, s.standard_unit_cost_yuan)::double
             when pe.peer_count >= m.min_peers and pe.peer_median > 0
                 then u.unit_cost::double / pe.peer_median - 1 end as deviation
    from costs as c
    cross join min_peers as m
    inner join projects_in_scope as p using (project_code)
    inner join totals as t using (project_code)
    left join unit_costs as u using (project_code)
    left join cost_standards as s
        on s.year = $year and s.service_class = p.service_class and s.output_unit = t.output_unit
    left join peers as pe
        on pe.service_class = p.service_class and pe.output_unit = t.output_unit
    where c.year = $year
)

select * from final
order by department_code, project_code, cost_item
