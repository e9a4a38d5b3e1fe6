-- Self-evaluation score of each project for a year (财政部《项目支出绩效评价管理办法》2020, as in
-- docs/figures.md#self-evaluation-scoring): execution 10 points × min(execution rate, 1) at year end (or the
-- funding row's own 分值); each quantitative indicator its points × capped attainment; each
-- qualitative indicator the file's 得分 when it lies in the band its level allows, else
-- points × the level's factor; 不适用 left out and the total rescaled to 100. Grades from the
-- thresholds table (优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差). The claimed total is the file's 总分, else
-- the sum of its claimed 得分; a claimed grade above the computed one is over-scored.
-- The social insurance fund budget is evaluated differently and is left out.
-- status (docs/figures.md#self-evaluation-status): 'none' with neither a self-evaluation table nor any
-- year-end (month 12) indicator row; 'incomplete' while missing_indicator_count applicable
-- indicators have no year-end 实际完成值 (a claimed 得分 alone counts as missing); else
-- 'complete'. Only complete rows carry execution_score, indicator_score, total_score, grade,
-- is_over_scored and score_difference (null otherwise); the claimed figures stay.
-- params:  $year INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per project: project_name, department, execution_rate, execution_score,
--          indicator_score, total_score, grade, claimed_total_score, claimed_grade,
--          is_over_scored, score_difference, project_code, department_code, budget_type,
--          indicator_count, qualitative_adjusted_count, unclassified_count, points_total,
--          status, missing_indicator_count
with

projects_in_scope as (
    select project_code from scoped_projects($year, $scope_departments, $scope_sensitive)
),

final as (
    select
        s.project_name,
        s.department,
        s.execution_rate::double as execution_rate,
        round(s.execution_score, 2)::double as execution_score,
        round(s.indicator_score, 2)::double as indicator_score,
        round(s.total_score, 2)::double as total_score,
        s.grade,
        s.claimed_total_score::double as claimed_total_score,
        s.claimed_grade,
        s.is_over_scored,
        round(s.claimed_total_score - s.total_score, 2)::double as score_difference,
        s.project_code,
        s.department_code,
        s.budget_type,
        s.indicator_count,
        s.qualitative_adjusted_count,
        s.unclassified_count,
        s.points_total::double as points_total,
        s.status,
        s.missing_indicator_count
    from selfeval_exact($year) as s
    semi join projects_in_scope using (project_code)
)

select * from final
order by department_code, project_code
