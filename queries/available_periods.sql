-- The years with projects and, per year, the last month with any spending reported: what the
-- shared year/month selector offers.
-- params:  $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per year: year, project_count, last_month
with

years as (
    select year, count(*) as project_count
    from projects
    where $scope_departments is null or list_contains($scope_departments, department_code)
    group by year
),

last_months as (
    select year, max(month) as last_month from spending group by year
),

final as (
    select y.year, y.project_count, l.last_month
    from years as y
    left join last_months as l using (year)
)

select * from final
order by year desc
