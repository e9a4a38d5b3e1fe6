-- The projects of a year in scope with what ranks them for a leader's attention: key project,
-- sensitive, and the money at stake.
-- params:  $year INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per project: project_code, project_name, department_code, department,
--          is_key, is_sensitive, adjusted_budget_yuan
with

final as (
    select
        project_code, project_name, department_code, department_name as department, is_key,
        is_effectively_sensitive as is_sensitive, adjusted_budget_yuan
    from scoped_projects($year, $scope_departments, $scope_sensitive)
)

select * from final
order by department_code, project_code
