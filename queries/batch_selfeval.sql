-- The self-score check of one import batch: for every project the batch brought a
-- self-evaluation table for, the score and grade computed by the rules (the same figures as
-- queries/project_selfeval.sql) beside the unit's own 总分 and 等级, and whether it
-- over-scored. The upload page shows it right after an import. Empty once the batch is
-- rolled back (its claims are gone). As there, only a 'complete' self-evaluation is scored:
-- an 'incomplete' one (missing_indicator_count indicators without a year-end 实际完成值) has
-- null scores, grade, is_over_scored and score_difference.
-- params:  $batch_id INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per project: year, project_code, project_name, department, total_score,
--          grade, claimed_total_score, claimed_grade, is_over_scored, score_difference,
--          execution_rate, execution_score, indicator_score, qualitative_adjusted_count,
--          unclassified_count, points_total, status, missing_indicator_count
with

batch_projects as (
    select year, project_code
    from self_evaluations
    where batch_id = $batch_id
),

batch_years as (
    select distinct year from batch_projects
),

-- selfeval_exact and scoped_projects take the year as an argument: once per year of the batch
scores as (
    select y.year, s.*
    from batch_years as y,
        lateral (select * from selfeval_exact(y.year)) as s
),

in_scope as (
    select y.year, p.project_code
    from batch_years as y,
        lateral (
            select project_code
            from scoped_projects(y.year, $scope_departments, $scope_sensitive)
        ) as p
),

final as (
    select
        s.year,
        s.project_code,
        s.project_name,
        s.department,
        round(s.total_score, 2)::double as total_score,
        s.grade,
        s.claimed_total_score::double as claimed_total_score,
        s.claimed_grade,
        s.is_over_scored,
        round(s.claimed_total_score - s.total_score, 2)::double as score_difference,
        s.execution_rate::double as execution_rate,
        round(s.execution_score, 2)::double as execution_score,
        round(s.indicator_score, 2)::double as indicator_score,
        s.qualitative_adjusted_count,
        s.unclassified_count,
        s.points_total::double as points_total,
        s.status,
        s.missing_indicator_count
    from scores as s
    semi join batch_projects using (year, project_code)
    semi join in_scope using (year, project_code)
)

select * from final
order by year, project_code
