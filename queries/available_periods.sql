-- The years with projects and, per year, the last month with any spending reported: what the
-- shared year/month selector offers.
-- params:  $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per year: year, project_count, last_month
with

years as (
    select p.year, count(*) as project_count
    from projects as p
    left join departments as d using (department_code)
    where ($scope_departments is null or list_contains($scope_departments, p.department_code))
      and ($scope_sensitive or not (p.is_sensitive or coalesce(d.is_sensitive, false)))
    group by p.year
),

last_months as (
    select year, max(month) as last_month
    from spending
    group by year
),

final as (
    select y.year, y.project_count, l.last_month
    from years as y
    left join last_months as l using (year)
)

select * from final
order by year desc
