-- Rule cost_above_reference (单位成本高于标准) for a year: unit cost = total cost ÷ output
-- quantity (from the 成本 table); the reference is the 成本定额标准 of the project's 一类事
-- class and output unit for the year, else the median unit cost of the class (same year,
-- class and output unit, the project included) when it has at least min_peers projects.
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
        max(value) filter (where name = 'red_above') as red_above,
        max(value) filter (where name = 'min_peers') as min_peers
    from thresholds
    where rule_id = 'cost_above_reference'
),

project_costs as (
    select
        c.project_code,
        p.service_class,
        any_value(c.output_unit) as output_unit,
        sum(c.amount_yuan) as total_cost_yuan,
        -- the output quantity is the project's; it must agree on every cost row
        min(c.output_quantity) as output_quantity,
        count(distinct c.output_quantity) = 1 and count(distinct c.output_unit) <= 1 as is_consistent
    from costs as c
    inner join projects as p on p.year = c.year and p.project_code = c.project_code
    where c.year = $year
    group by c.project_code, p.service_class
),

unit_costs as (
    select *, exact_ratio(total_cost_yuan, output_quantity) as unit_cost
    from project_costs
    where is_consistent and output_quantity > 0 and service_class is not null
),

peer_medians as (
    select
        service_class, output_unit,
        count(*) as peer_count,
        quantile_disc(unit_cost, 0.5) as lower_median,
        -- an even count's median is the mean of the two middle values, kept exact
        (quantile_disc(unit_cost, 0.5) + max(unit_cost) filter (
            where unit_cost_rank = peer_count_total / 2 + 1)) / 2 as even_median
    from (
        select *,
               row_number() over (partition by service_class, output_unit order by unit_cost) as unit_cost_rank,
               count(*) over (partition by service_class, output_unit) as peer_count_total
        from unit_costs
    ) as ranked
    group by service_class, output_unit
),

references_ as (
    select
        u.*,
        s.standard_unit_cost_yuan,
        m.peer_count,
        case when m.peer_count % 2 = 1 then m.lower_median else m.even_median end as peer_median,
        l.yellow_above, l.red_above, l.min_peers
    from unit_costs as u
    cross join limits as l
    left join cost_standards as s
        on s.year = $year and s.service_class = u.service_class and s.output_unit = u.output_unit
    left join peer_medians as m
        on m.service_class = u.service_class and m.output_unit = u.output_unit
),

judged as (
    select
        r.*,
        case
            when r.standard_unit_cost_yuan is not null then 'standard'
            when r.peer_count >= r.min_peers then 'peer_median'
        end as basis,
        coalesce(r.standard_unit_cost_yuan,
                 case when r.peer_count >= r.min_peers then r.peer_median end) as reference
    from references_ as r
),

deviations as (
    select *, exact_ratio(unit_cost - reference, reference) as deviation
    from judged
    where reference is not null and reference > 0
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
