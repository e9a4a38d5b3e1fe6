-- The departments with projects in a year that the scope may see, for pickers and drill-down.
-- params:  $year INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per department: department_code, department, project_count
with

final as (
    select department_code, any_value(department_name) as department, count(*) as project_count
    from scoped_projects($year, $scope_departments, $scope_sensitive)
    group by department_code
)

select * from final
order by department_code
