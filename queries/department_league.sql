-- Department league table (部门预算绩效管理考核) at the end of a month, on what the seeds assess
-- departments on, each scored 0–1: execution pace (min(R, 1) of the department's money),
-- target attainment (points-weighted capped progress of its indicators, each on its latest
-- actual at or before the month),
-- self-evaluation quality (1 − the share of its scored projects that over-scored themselves;
-- scored = a complete self-evaluation with a claimed score or grade: an incomplete one or
-- none has no over-scoring check (docs/figures.md#self-evaluation-status), so it is left out of this share
-- rather than counted as honest or as over-scored — the self-evaluation page lists them),
-- rectification on time (on-time rate of the items due), disclosure (coverage ÷ 50%, capped).
-- Score = Σ weight × part ÷ Σ weight of the parts a department has data for, × 100; the
-- weights live in the thresholds table (rule 'league') and are shown beside the table.
-- params:  $year INTEGER, $month INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per department, best first: rank, department_code, department, score,
--          execution_part, targets_part, selfeval_part, rectification_part, disclosure_part,
--          pace, over_scored_count, scored_project_count, overdue_count, coverage
with

weights as (
    select
        max(value) filter (where name = 'weight_execution') as w_execution,
        max(value) filter (where name = 'weight_targets') as w_targets,
        max(value) filter (where name = 'weight_selfeval') as w_selfeval,
        max(value) filter (where name = 'weight_rectification') as w_rectification,
        max(value) filter (where name = 'weight_disclosure') as w_disclosure
    from thresholds
    where rule_id = 'league'
),

projects_in_scope as (
    select * from scoped_projects($year, $scope_departments, $scope_sensitive)
),

tp as (
    select tp_num, tp_den from time_progress_parts($year, $month)
),

execution as (
    select
        p.department_code,
        any_value(p.department_name) as department,
        exact_ratio(sum(e.spent_yuan) * any_value(tp.tp_den),
                    sum(e.adjusted_budget_yuan) * any_value(tp.tp_num)) as pace
    from projects_in_scope as p
    inner join execution_exact($year, $month) as e using (project_code)
    cross join tp
    group by p.department_code
),

targets as (
    select
        p.department_code,
        exact_ratio(sum(i.effective_points * cap1(i.progress)),
                    sum(i.effective_points)) as targets_part
    from indicator_standing($year, $month) as i
    inner join projects_in_scope as p using (project_code)
    where i.progress is not null and i.operator <> '不适用'
    group by p.department_code
),

selfeval as (
    select
        s.department_code,
        count(*) filter (where s.status = 'complete' and s.is_over_scored) as over_scored_count,
        count(*) filter (where s.status = 'complete'
                         and (s.claimed_total_score is not null or s.claimed_grade is not null))
            as scored_project_count
    from selfeval_exact($year) as s
    semi join projects_in_scope using (project_code)
    group by s.department_code
),

rectification as (
    select
        p.department_code,
        count(*) filter (where r.done_date is not null and r.done_date <= r.feedback_date + to_days(30)
                         and r.done_date <= last_day(make_date($year, $month, 1))) as on_time_count,
        count(*) filter (where r.feedback_date + to_days(30) < last_day(make_date($year, $month, 1))
                         or (r.done_date is not null
                             and r.done_date <= last_day(make_date($year, $month, 1)))) as due_count,
        count(*) filter (where (r.done_date is null or r.done_date > last_day(make_date($year, $month, 1)))
                         and r.feedback_date + to_days(30) < last_day(make_date($year, $month, 1)))
            as overdue_count
    from rectifications as r
    inner join projects_in_scope as p using (project_code)
    where r.feedback_date <= last_day(make_date($year, $month, 1))
    group by p.department_code
),

disclosure as (
    select
        p.department_code,
        exact_ratio(coalesce(sum(p.initial_budget_yuan) filter (where p.targets_disclosed), 0),
                    sum(p.initial_budget_yuan)) as coverage
    from projects_in_scope as p
    where not p.is_effectively_sensitive
    group by p.department_code
),

parts as (
    select
        x.department_code,
        x.department,
        x.pace,
        cap1(x.pace) as execution_part,
        cap1(t.targets_part) as targets_part,
        case when s.scored_project_count > 0
             then 1 - exact_ratio(s.over_scored_count, s.scored_project_count) end as selfeval_part,
        case when r.due_count > 0 then exact_ratio(r.on_time_count, r.due_count) end as rectification_part,
        cap1(exact_ratio(d.coverage,
                         (select value from thresholds
                          where rule_id = 'disclosure_gap' and name = 'min_coverage'))) as disclosure_part,
        coalesce(s.over_scored_count, 0) as over_scored_count,
        coalesce(s.scored_project_count, 0) as scored_project_count,
        coalesce(r.overdue_count, 0) as overdue_count,
        d.coverage
    from execution as x
    left join targets as t using (department_code)
    left join selfeval as s using (department_code)
    left join rectification as r using (department_code)
    left join disclosure as d using (department_code)
),

scored as (
    select
        p.*,
        exact_ratio(
            coalesce(w.w_execution * p.execution_part, 0) + coalesce(w.w_targets * p.targets_part, 0)
            + coalesce(w.w_selfeval * p.selfeval_part, 0)
            + coalesce(w.w_rectification * p.rectification_part, 0)
            + coalesce(w.w_disclosure * p.disclosure_part, 0),
            case when p.execution_part is null then 0 else w.w_execution end
            + case when p.targets_part is null then 0 else w.w_targets end
            + case when p.selfeval_part is null then 0 else w.w_selfeval end
            + case when p.rectification_part is null then 0 else w.w_rectification end
            + case when p.disclosure_part is null then 0 else w.w_disclosure end
        ) * 100 as score
    from parts as p
    cross join weights as w
),

final as (
    select
        rank() over (order by score desc nulls last) as rank,
        department_code, department,
        round(score, 1)::double as score,
        execution_part::double as execution_part,
        targets_part::double as targets_part,
        selfeval_part::double as selfeval_part,
        rectification_part::double as rectification_part,
        disclosure_part::double as disclosure_part,
        pace::double as pace,
        over_scored_count, scored_project_count, overdue_count,
        coverage::double as coverage
    from scored
)

select * from final
order by rank, department_code
