-- The follow-up history of the flags of a year (已关注 / 已处理, who, when, note), newest first;
-- `is_latest` marks each flag's current follow-up. Department-level flags have project_code ''.
-- params:  $year INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per follow-up: followup_id, project_code, department_code, rule_id,
--          as_of_month, status, note, user_name, noted_at, is_latest
with

visible_departments as (
    select distinct department_code
    from scoped_projects($year, $scope_departments, $scope_sensitive)
),

visible_projects as (
    select project_code
    from scoped_projects($year, $scope_departments, $scope_sensitive)
),

final as (
    select
        f.followup_id, f.project_code, f.department_code, f.rule_id, f.as_of_month, f.status,
        f.note, f.user_name, f.noted_at,
        row_number() over (partition by f.project_code, f.department_code, f.rule_id
                           order by f.noted_at desc, f.followup_id desc) = 1 as is_latest
    from flag_followups as f
    where f.year = $year
      and f.department_code in (select department_code from visible_departments)
      and (f.project_code = '' or f.project_code in (select project_code from visible_projects))
)

select * from final
order by noted_at desc, followup_id desc
