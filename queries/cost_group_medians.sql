-- The median unit cost of one class (一类事) and output unit per budget unit, department or
-- district, this year and the previous year (同比), over the peers of each year (macro
-- cost_units: projects left out of the comparison are left out here too). A group is a
-- unit, department or district by its code in each year's projects table.
-- params:  $year INTEGER, $service_class VARCHAR, $output_unit VARCHAR, $group_by VARCHAR
--          (unit | department | district), $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per group with a peer this year: group_code, group_name, project_count,
--          median_unit_cost_yuan, previous_project_count, previous_median_unit_cost_yuan,
--          median_change
with

this_year as (
    select 0 as year_offset, u.unit_cost, p.unit_code, p.department_code, p.department_name
    from cost_units($year) as u
    inner join scoped_projects($year, $scope_departments, $scope_sensitive) as p using (project_code)
    where u.excluded_reason is null
        and u.service_class = $service_class and u.output_unit = $output_unit
),

last_year as (
    select 1 as year_offset, u.unit_cost, p.unit_code, p.department_code, p.department_name
    from cost_units($year - 1) as u
    inner join scoped_projects($year - 1, $scope_departments, $scope_sensitive) as p using (project_code)
    where u.excluded_reason is null
        and u.service_class = $service_class and u.output_unit = $output_unit
),

peers as (
    select
        b.year_offset,
        b.unit_cost,
        case $group_by
            when 'unit' then b.unit_code
            when 'department' then b.department_code
            else d.district_name
        end as group_code,
        case $group_by
            when 'unit' then coalesce(un.unit_name, b.unit_code)
            when 'department' then b.department_name
            else d.district_name
        end as group_name
    from (
        select * from this_year
        union all
        select * from last_year
    ) as b
    left join units as un on un.unit_code = b.unit_code
    left join departments as d on d.department_code = b.department_code
),

medians as (
    select
        group_code,
        any_value(group_name) filter (where year_offset = 0) as group_name,
        count(*) filter (where year_offset = 0) as project_count,
        quantile_cont(unit_cost, 0.5) filter (where year_offset = 0) as median_unit_cost,
        count(*) filter (where year_offset = 1) as previous_project_count,
        quantile_cont(unit_cost, 0.5) filter (where year_offset = 1) as previous_median
    from peers
    where group_code is not null
    group by group_code
),

final as (
    select
        group_code,
        group_name,
        project_count,
        median_unit_cost::double as median_unit_cost_yuan,
        previous_project_count,
        previous_median::double as previous_median_unit_cost_yuan,
        (exact_ratio(median_unit_cost, previous_median) - 1)::double as median_change
    from medians
    where project_count > 0
)

select * from final
order by median_unit_cost_yuan desc, group_code asc
