-- The classes (一类事) of a year, each with its output unit: how many peers, the median,
-- P25 and P75 of their unit costs, the 成本定额标准 where there is one, the suggested standard
-- (平均先进值, with at least 5 peers) and how many already meet it, Tukey outliers, the
-- reference of the cost_above_reference rule and how many sit above it, and the previous
-- year's median (macro cost_class_stats). Over every project of the year, not only a user's
-- scope: a benchmark does not move with the user.
-- params:  $year INTEGER
-- returns: one row per class and output unit: service_class, output_unit, project_count,
--          median_unit_cost_yuan, p25_unit_cost_yuan, p75_unit_cost_yuan,
--          standard_unit_cost_yuan, suggested_standard_yuan, meeting_suggested_count,
--          outlier_count, previous_median_unit_cost_yuan, lower_fence_yuan,
--          upper_fence_yuan, reference_unit_cost_yuan, reference_basis,
--          above_reference_count, spread, median_change
with

current_year as (
    select * from cost_class_stats($year)
),

previous_year as (
    select service_class, output_unit, median_unit_cost as previous_median
    from cost_class_stats($year - 1)
),

final as (
    select
        c.service_class,
        c.output_unit,
        c.project_count,
        c.median_unit_cost::double as median_unit_cost_yuan,
        c.p25_unit_cost::double as p25_unit_cost_yuan,
        c.p75_unit_cost::double as p75_unit_cost_yuan,
        c.standard_unit_cost_yuan::double as standard_unit_cost_yuan,
        c.suggested_standard::double as suggested_standard_yuan,
        c.meeting_suggested_count,
        c.outlier_count,
        p.previous_median::double as previous_median_unit_cost_yuan,
        c.lower_fence::double as lower_fence_yuan,
        c.upper_fence::double as upper_fence_yuan,
        c.reference_unit_cost::double as reference_unit_cost_yuan,
        coalesce(c.reference_basis, 'none') as reference_basis,
        c.above_reference_count,
        -- P75 ÷ P25: how far apart the middle half lies
        exact_ratio(c.p75_unit_cost, c.p25_unit_cost)::double as spread,
        (exact_ratio(c.median_unit_cost, p.previous_median) - 1)::double as median_change
    from current_year as c
    left join previous_year as p using (service_class, output_unit)
)

select * from final
order by service_class, output_unit
