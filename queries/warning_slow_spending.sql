-- Rule slow_spending (支出进度明显偏慢) at the end of a month. Two sub-rules:
--   pace:      pace R = execution rate ÷ time progress; red R < 0.6, yellow 0.6 ≤ R < 0.8;
--   large_gap: adjusted budget ≥ 1000万元 and gap ≤ −20 percentage points: red.
-- One flag per project at its worst severity, naming every sub-rule that fired. Applies from
-- the first warning month (default 3). Thresholds come from the thresholds table.
-- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per flagged project: project_code, project_name, department_code,
--          department, is_sensitive, rule, severity, sub_rules, value, threshold,
--          adjusted_budget_yuan, spent_yuan, execution_rate, time_progress, pace, gap_pp,
--          pace_severity, gap_severity, pace_threshold, large_budget_yuan, large_gap_red_pp
with

limits as (
    select
        max(value) filter (where name = 'pace_red_below') as pace_red_below,
        max(value) filter (where name = 'pace_yellow_below') as pace_yellow_below,
        max(value) filter (where name = 'large_budget_yuan') as large_budget_yuan,
        max(value) filter (where name = 'large_gap_red_pp') as large_gap_red_pp,
        (select g.value from thresholds as g
         where g.rule_id = 'general' and g.name = 'first_warning_month') as first_warning_month
    from thresholds
    where rule_id = 'slow_spending'
),

projects_in_scope as (
    select * from scoped_projects($year, $scope_departments, $scope_sensitive)
),

judged as (
    select
        p.project_code, p.project_name, p.department_code, p.department_name as department,
        p.is_effectively_sensitive as is_sensitive,
        e.adjusted_budget_yuan, e.spent_yuan, e.execution_rate, e.time_progress, e.pace, e.gap_pp,
        case
            when e.pace < l.pace_red_below then 'red'
            when e.pace < l.pace_yellow_below then 'yellow'
        end as pace_severity,
        case
            when e.adjusted_budget_yuan >= l.large_budget_yuan and e.gap_pp <= l.large_gap_red_pp
                then 'red'
        end as gap_severity,
        l.pace_red_below, l.pace_yellow_below, l.large_budget_yuan, l.large_gap_red_pp
    from projects_in_scope as p
    inner join execution_exact($year, $month) as e using (project_code)
    cross join limits as l
    -- no adjusted budget, no rate (a data_quality matter); an unreported month is 未报送
    where e.adjusted_budget_yuan > 0
      and e.is_reported
      and $month >= l.first_warning_month
),

final as (
    select
        project_code, project_name, department_code, department, is_sensitive,
        'slow_spending' as rule,
        case when 'red' in (pace_severity, gap_severity) then 'red' else 'yellow' end as severity,
        concat_ws(',',
            case when pace_severity is not null then 'pace' end,
            case when gap_severity is not null then 'large_gap' end) as sub_rules,
        -- the figure behind the severity: the pace, unless only the gap rule made it red
        case when pace_severity = 'red' or gap_severity is null then pace::double
             else gap_pp::double end as value,
        case when pace_severity = 'red' then pace_red_below::double
             when gap_severity = 'red' then large_gap_red_pp::double
             else pace_yellow_below::double end as threshold,
        adjusted_budget_yuan, spent_yuan,
        execution_rate::double as execution_rate,
        time_progress::double as time_progress,
        pace::double as pace,
        gap_pp::double as gap_pp,
        pace_severity, gap_severity,
        case pace_severity when 'red' then pace_red_below
                           when 'yellow' then pace_yellow_below end::double as pace_threshold,
        large_budget_yuan::double as large_budget_yuan,
        large_gap_red_pp::double as large_gap_red_pp
    from judged
    where pace_severity is not null or gap_severity is not null
)

select * from final
order by department_code, project_code
