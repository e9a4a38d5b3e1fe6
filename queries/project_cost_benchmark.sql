-- Each project's unit cost among its peers (一类事 benchmarking) for a year: total cost,
-- output quantity, unit cost, the cost_above_reference rule's reference (standard, else the
-- class median with enough peers) and the deviation from it, Tukey outlier, item shares, and
-- why a project is left out of the comparison (macro cost_project_figures). With
-- $service_class, only that class's projects, and those of another output unit than
-- $output_unit are left out as 'other_unit'. Class figures are over every project, the rows
-- only those in scope. Beside the rule's reference, the class's suggested standard (平均先进值,
-- ≥ 5 peers) and the deviation from it (unit cost ÷ suggested standard − 1).
-- params:  $year INTEGER, $service_class VARCHAR, $output_unit VARCHAR,
--          $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per project with costs: project_code, project_name, department,
--          service_class, output_unit, total_cost_yuan, output_quantity, unit_cost_yuan,
--          reference_unit_cost_yuan, reference_basis, deviation, is_outlier, excluded_reason,
--          department_code, unit_code, unit, district, project_count, personnel_share,
--          equipment_share, operation_share, management_share, other_share,
--          suggested_standard_yuan, suggested_deviation
with

projects_in_scope as (
    select * from scoped_projects($year, $scope_departments, $scope_sensitive)
),

figures as (
    select
        f.*,
        -- in the view of one class, another output unit is compared with nobody here
        coalesce(
            f.excluded_reason,
            case when $service_class is not null and f.output_unit is distinct from $output_unit
                 then 'other_unit' end
        ) as reason
    from cost_project_figures($year) as f
    where $service_class is null or f.service_class = $service_class
),

final as (
    select
        p.project_code,
        p.project_name,
        p.department_name as department,
        f.service_class,
        f.output_unit,
        f.total_cost_yuan::decimal(18, 2) as total_cost_yuan,
        f.output_quantity::double as output_quantity,
        f.unit_cost::double as unit_cost_yuan,
        case when f.reason is null then f.reference_unit_cost end::double as reference_unit_cost_yuan,
        -- none: no standard and too few peers, or left out of the comparison
        coalesce(case when f.reason is null then f.reference_basis end, 'none') as reference_basis,
        case when f.reason is null then f.deviation end::double as deviation,
        case when f.reason is null then f.is_outlier end as is_outlier,
        f.reason as excluded_reason,
        p.department_code,
        p.unit_code,
        coalesce(un.unit_name, p.unit_code) as unit,
        d.district_name as district,
        case when f.reason is null then f.project_count end as project_count,
        f.personnel_share::double as personnel_share,
        f.equipment_share::double as equipment_share,
        f.operation_share::double as operation_share,
        f.management_share::double as management_share,
        f.other_share::double as other_share,
        case when f.reason is null then f.suggested_standard end::double as suggested_standard_yuan,
        case when f.reason is null then f.suggested_deviation end::double as suggested_deviation
    from figures as f
    inner join projects_in_scope as p using (project_code)
    left join units as un on un.unit_code = p.unit_code
    left join departments as d on d.department_code = p.department_code
)

select * from final
order by service_class asc nulls last, output_unit asc nulls last, unit_cost_yuan desc nulls last, project_code asc
