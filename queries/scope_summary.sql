-- The headline figures of everything in scope at the end of a month (the overview's tiles):
-- money, execution against time progress, and how many indicators are on track (each on its
-- latest actual at or before the month).
-- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row: department_count, project_count, adjusted_budget_yuan, spent_yuan,
--          execution_rate, time_progress, pace, gap_pp, pace_light, reported_project_count,
--          indicator_count, indicator_reported_count, indicator_on_track_count,
--          indicator_on_track_rate
with

projects_in_scope as (
    select * from scoped_projects($year, $scope_departments, $scope_sensitive)
),

money as (
    select
        count(distinct p.department_code) as department_count,
        count(*) as project_count,
        coalesce(sum(p.adjusted_budget_yuan), 0)::decimal(18, 2) as adjusted_budget_yuan,
        coalesce(sum(e.spent_yuan), 0)::decimal(18, 2) as spent_yuan,
        count(*) filter (where e.is_reported) as reported_project_count
    from projects_in_scope as p
    inner join execution_exact($year, $month) as e using (project_code)
),

tp as (
    select tp_num, tp_den from time_progress_parts($year, $month)
),

indicator_limits as (
    select
        max(value) filter (where name = 'yellow_below') as yellow_below
    from thresholds
    where rule_id = 'indicator_behind'
),

indicators_in_scope as (
    select i.progress
    from indicator_standing($year, $month) as i
    semi join projects_in_scope using (project_code)
    where i.operator <> '不适用'
),

indicator_counts as (
    select
        count(*) as indicator_count,
        count(progress) as indicator_reported_count,
        count(*) filter (where progress >= (select yellow_below from indicator_limits))
            as indicator_on_track_count
    from indicators_in_scope
),

figures as (
    select
        m.*,
        exact_ratio(m.spent_yuan, m.adjusted_budget_yuan) as execution_rate,
        exact_ratio(tp.tp_num, tp.tp_den) as time_progress,
        exact_ratio(m.spent_yuan * tp.tp_den, m.adjusted_budget_yuan * tp.tp_num) as pace,
        exact_ratio((m.spent_yuan * tp.tp_den - m.adjusted_budget_yuan * tp.tp_num) * 100,
                    m.adjusted_budget_yuan * tp.tp_den) as gap_pp,
        ic.*
    from money as m
    cross join tp
    cross join indicator_counts as ic
),

final as (
    select
        department_count, project_count, adjusted_budget_yuan, spent_yuan,
        execution_rate::double as execution_rate,
        time_progress::double as time_progress,
        pace::double as pace,
        gap_pp::double as gap_pp,
        pace_light(pace) as pace_light,
        reported_project_count,
        indicator_count,
        indicator_reported_count,
        indicator_on_track_count,
        exact_ratio(indicator_on_track_count, indicator_reported_count)::double
            as indicator_on_track_rate
    from figures
)

select * from final
