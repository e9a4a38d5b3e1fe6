-- Self-evaluation score of each project for a year (财政部《项目支出绩效评价管理办法》2020, as in
-- domain.md "Scoring"): execution 10 points × min(execution rate, 1) at year end (or the
-- funding row's own 分值); each quantitative indicator its points × capped attainment; each
-- qualitative indicator the file's 得分 when it lies in the band its level allows, else
-- points × the level's factor; 不适用 left out and the total rescaled to 100. Grades from the
-- thresholds table (优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差). The claimed total is the file's 总分, else
-- the sum of its claimed 得分; a claimed grade above the computed one is over-scored.
-- The social insurance fund budget is evaluated differently and is left out.
-- params:  $year INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per project: project_name, department, execution_rate, execution_score,
--          indicator_score, total_score, grade, claimed_total_score, claimed_grade,
--          is_over_scored, score_difference, project_code, department_code, budget_type,
--          indicator_count, qualitative_adjusted_count, unclassified_count, points_total
with

weights as (
    select
        max(value) filter (where name = 'weight_execution') as execution_points,
        max(value) filter (where name = 'grade_excellent_at') as excellent_at,
        max(value) filter (where name = 'grade_good_at') as good_at,
        max(value) filter (where name = 'grade_pass_at') as pass_at
    from thresholds
    where rule_id = 'selfeval'
),

projects_in_scope as (
    select *
    from scoped_projects($year, $scope_departments, $scope_sensitive)
    where budget_type is null or budget_type <> '社会保险基金预算'
),

execution as (
    select
        p.project_code,
        e.execution_rate,
        coalesce(s.execution_points, w.execution_points) as execution_points,
        coalesce(s.execution_points, w.execution_points) * least(e.execution_rate, 1) as execution_score,
        s.claimed_execution_score,
        s.claimed_total_score as file_total_score,
        s.claimed_grade as file_grade
    from projects_in_scope as p
    inner join execution_exact($year, 12) as e using (project_code)
    cross join weights as w
    left join self_evaluations as s on s.year = $year and s.project_code = p.project_code
),

indicator_scores as (
    select
        i.project_code,
        i.effective_points as points,
        i.claimed_score,
        i.operator = '定性' as is_qualitative,
        i.operator = '定性' and i.has_actual and i.qualitative_level is null as is_unclassified,
        -- the band of the file's 得分 the level allows, as fractions of the points
        case when i.qualitative_level >= 0.8 then 0.8 when i.qualitative_level >= 0.6 then 0.6 else 0 end as band_low,
        case when i.qualitative_level >= 0.8 then 1.0 when i.qualitative_level >= 0.6 then 0.8 else 0.6 end as band_high,
        i.qualitative_level >= 0.8 as band_high_included,
        i.qualitative_level,
        i.attainment_capped
    from indicator_progress($year, 12) as i
    where i.operator <> '不适用'
),

scored as (
    select
        *,
        case
            when not is_qualitative then points * coalesce(attainment_capped, 0)
            when is_unclassified then coalesce(claimed_score, 0)
            when qualitative_level is null then 0
            when claimed_score >= points * band_low
                 and (claimed_score < points * band_high
                      or band_high_included and claimed_score <= points * band_high)
                then claimed_score
            else points * qualitative_level
        end as score,
        is_qualitative and qualitative_level is not null and claimed_score is not null
            and not (claimed_score >= points * band_low
                     and (claimed_score < points * band_high
                          or band_high_included and claimed_score <= points * band_high))
            as is_adjusted
    from indicator_scores
),

by_project as (
    select
        project_code,
        count(*) as indicator_count,
        sum(points) as points_total,
        sum(score) as indicator_score,
        sum(claimed_score) as claimed_indicator_score,
        count(*) filter (where is_adjusted) as qualitative_adjusted_count,
        count(*) filter (where is_unclassified) as unclassified_count
    from scored
    group by project_code
),

totals as (
    select
        p.project_code, p.project_name, p.department_code, p.department_name as department,
        p.budget_type,
        x.execution_rate,
        x.execution_score,
        coalesce(b.indicator_score, 0) as indicator_score,
        -- rescaled to 100 over the applicable items (execution included)
        exact_ratio(
            (coalesce(x.execution_score, 0) + coalesce(b.indicator_score, 0)) * 100,
            case when x.execution_rate is null then 0 else x.execution_points end
                + coalesce(b.points_total, 0)
        ) as total_score,
        coalesce(x.file_total_score, b.claimed_indicator_score + x.claimed_execution_score,
                 b.claimed_indicator_score) as claimed_total_score,
        x.file_grade,
        coalesce(b.indicator_count, 0) as indicator_count,
        coalesce(b.qualitative_adjusted_count, 0) as qualitative_adjusted_count,
        coalesce(b.unclassified_count, 0) as unclassified_count,
        b.points_total
    from projects_in_scope as p
    inner join execution as x using (project_code)
    left join by_project as b using (project_code)
),

graded as (
    select
        t.*,
        case
            when t.total_score is null then null
            when t.total_score >= w.excellent_at then '优'
            when t.total_score >= w.good_at then '良'
            when t.total_score >= w.pass_at then '中'
            else '差'
        end as grade,
        coalesce(t.file_grade, case
            when t.claimed_total_score is null then null
            when t.claimed_total_score >= w.excellent_at then '优'
            when t.claimed_total_score >= w.good_at then '良'
            when t.claimed_total_score >= w.pass_at then '中'
            else '差'
        end) as claimed_grade
    from totals as t
    cross join weights as w
),

final as (
    select
        project_name,
        department,
        execution_rate::double as execution_rate,
        round(execution_score, 2)::double as execution_score,
        round(indicator_score, 2)::double as indicator_score,
        round(total_score, 2)::double as total_score,
        grade,
        claimed_total_score::double as claimed_total_score,
        claimed_grade,
        coalesce(list_position(['差', '中', '良', '优'], claimed_grade)
                 > list_position(['差', '中', '良', '优'], grade), false) as is_over_scored,
        round(claimed_total_score - total_score, 2)::double as score_difference,
        project_code,
        department_code,
        budget_type,
        indicator_count,
        qualitative_adjusted_count,
        unclassified_count,
        points_total::double as points_total
    from graded
)

select * from final
order by department_code, project_code
