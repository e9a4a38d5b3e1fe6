-- The calculation behind PI-2 (composition variance) of each head, for the last three completed
-- years up to $year: every head one level down ($level city: districts; district: departments;
-- department: budget units; city_category / district_category: 项目类别) with its initial
-- budget b_i, its outturn a_i, k = Σ a ÷ Σ b of its head and year, k·b_i and |a_i − k·b_i|;
-- the variance is Σ |a_i − k·b_i| ÷ Σ k·b_i
-- (queries/pefa_scores.sql, docs/figures.md#fiscal-reliability-pefa).
-- params:  $level VARCHAR, $year INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per head, completed year and sub-head: level, code, name, year, sub_code,
--          sub_name, project_count, initial_budget_yuan, outturn_yuan, outturn_ratio, k,
--          expected_yuan, deviation_yuan
with

sub_heads as (
    select * from pefa_heads($level, $year, $scope_departments, $scope_sensitive)
),

in_fen as (
    select
        *,
        (initial_budget_yuan * 100)::hugeint as budget_fen,
        (outturn_yuan * 100)::hugeint as outturn_fen
    from sub_heads
),

head_years as (
    select
        level, code, year,
        sum(initial_budget_yuan) as head_budget_yuan,
        sum(outturn_yuan) as head_outturn_yuan,
        sum(budget_fen) as head_budget_fen,
        sum(outturn_fen) as head_outturn_fen
    from in_fen
    group by level, code, year
),

final as (
    select
        f.level, f.code, f.name, f.year, f.sub_code, f.sub_name, f.project_count,
        f.initial_budget_yuan::decimal(18, 2) as initial_budget_yuan,
        f.outturn_yuan::decimal(18, 2) as outturn_yuan,
        exact_ratio(f.outturn_yuan, f.initial_budget_yuan)::double as outturn_ratio,
        exact_ratio(h.head_outturn_yuan, h.head_budget_yuan)::double as k,
        -- k·b_i = A·b_i ÷ B and |a_i − k·b_i| = |a_i·B − A·b_i| ÷ B, to the fen, half up
        case when h.head_budget_fen > 0 then
            ((h.head_outturn_fen * f.budget_fen * 2 + h.head_budget_fen)
             // (h.head_budget_fen * 2))::decimal(38, 0) * 0.01
        end::decimal(18, 2) as expected_yuan,
        case when h.head_budget_fen > 0 then
            ((abs(f.outturn_fen * h.head_budget_fen - h.head_outturn_fen * f.budget_fen) * 2
              + h.head_budget_fen) // (h.head_budget_fen * 2))::decimal(38, 0) * 0.01
        end::decimal(18, 2) as deviation_yuan
    from in_fen as f
    inner join head_years as h using (level, code, year)
)

select * from final
order by code, year, sub_code
