-- Next year's budget requests (预算申请) checked against cost standards and this year's results
-- (预算安排核成本, docs/figures.md#budget-request-review). The reference unit cost of the
-- request's 一类事 and output unit: the 成本定额标准 of the requested year, else of the latest
-- earlier year with one (standard); else, of the latest year with costs for the class and unit
-- (macro cost_class_stats), its suggested standard (suggested), else its median with at least
-- cost_above_reference.min_peers projects (median); else none. Cost cap: the requested unit
-- cost (申请金额 ÷ 计划产出数量) more than cost_above_reference.yellow_above above the reference
-- (requested > reference × quantity × (1 + line), exact: exactly 10% above is not capped) →
-- reference × quantity. Result cap: the same project the year before (same code, else same
-- department, unit and name) left a 结转结余率 ≥ large_balance.red_at (spent at December ≤
-- budget × (1 − line), exact) → that December's spending. A 差 grade of that year's complete
-- self-evaluation is a reason to cut with no number. Suggested amount = the lowest of the
-- request and the caps that apply (least() skips a cap that does not apply). The request needs
-- no project in the projects table; its department is its own.
-- params:  $year INTEGER, $scope_departments VARCHAR[], $scope_sensitive BOOLEAN
-- returns: one row per request of the year: project_code, project_name, department,
--          requested_amount_yuan, planned_output_quantity, requested_unit_cost_yuan,
--          reference_unit_cost_yuan, reference_basis, cost_cap_yuan, result_cap_yuan, grade,
--          suggested_amount_yuan, department_code, unit_code, service_class, output_unit,
--          is_new, reference_year, peer_count, reference_deviation, cost_line,
--          previous_project_code, previous_adjusted_budget_yuan, previous_spent_yuan,
--          previous_execution_rate, previous_balance_rate, balance_line, is_cost_capped,
--          is_result_capped, is_grade_poor
with

limits as (
    select
        max(value) filter (where rule_id = 'cost_above_reference' and name = 'yellow_above') as cost_line,
        max(value) filter (where rule_id = 'cost_above_reference' and name = 'min_peers') as min_peers,
        max(value) filter (where rule_id = 'large_balance' and name = 'red_at') as balance_line
    from thresholds
),

requests as (
    select
        r.*,
        coalesce(d.is_sensitive, false) as is_department_sensitive
    from budget_requests as r
    left join departments as d on r.department_code = d.department_code
    where
        r.year = $year
        and ($scope_departments is null or list_contains($scope_departments, r.department_code))
),

-- the 成本定额标准 of each class and unit: the requested year's, else the latest earlier one
standards as (
    select service_class, output_unit, year as standard_year, standard_unit_cost_yuan
    from cost_standards
    where year <= $year
    qualify row_number() over (partition by service_class, output_unit order by year desc) = 1
),

-- the class statistics of each class and unit in the latest year with costs for it
cost_years as (
    select distinct year
    from costs
    where year <= $year
),

class_years as (
    select
        cy.year as stats_year,
        s.service_class,
        s.output_unit,
        s.project_count,
        s.median_unit_cost,
        s.suggested_standard
    from cost_years as cy,
        lateral cost_class_stats(cy.year) as s
),

latest_class as (
    select *
    from class_years
    qualify row_number() over (partition by service_class, output_unit order by stats_year desc) = 1
),

-- the same project the year before: same code first, else same department, unit and name
previous_projects as (
    select project_code, project_name, department_code, unit_code, is_effectively_sensitive
    from scoped_projects($year - 1, null, true)
),

matched as (
    select
        r.project_code,
        coalesce(by_code.project_code, by_name.project_code) as previous_project_code,
        coalesce(by_code.is_effectively_sensitive, by_name.is_effectively_sensitive, false)
            as is_previous_sensitive
    from requests as r
    left join previous_projects as by_code on r.project_code = by_code.project_code
    left join previous_projects as by_name
        on
            by_code.project_code is null
            and r.department_code = by_name.department_code
            and r.unit_code is not distinct from by_name.unit_code
            and r.project_name = by_name.project_name
    -- two earlier projects of the same name: take one, never count a request twice
    qualify row_number() over (partition by r.project_code order by by_name.project_code asc) = 1
),

previous_year_end as (
    select
        project_code,
        adjusted_budget_yuan,
        spent_yuan,
        execution_rate,
        -- a 结转结余率 needs December spending and a budget
        is_reported and adjusted_budget_yuan > 0 as has_balance
    from execution_exact($year - 1, 12)
),

previous_grades as (
    select project_code, grade
    from selfeval_exact($year - 1)
),

referenced as (
    select
        r.*,
        l.cost_line,
        l.balance_line,
        m.previous_project_code,
        m.is_previous_sensitive,
        case
            when s.standard_unit_cost_yuan is not null then 'standard'
            when c.suggested_standard is not null then 'suggested'
            when c.project_count >= l.min_peers then 'median'
            else 'none'
        end as reference_basis,
        case
            when s.standard_unit_cost_yuan is not null then s.standard_unit_cost_yuan::decimal(38, 12)
            when c.suggested_standard is not null then c.suggested_standard
            when c.project_count >= l.min_peers then c.median_unit_cost
        end as reference_unit_cost,
        case
            when s.standard_unit_cost_yuan is not null then s.standard_year
            when c.suggested_standard is not null or c.project_count >= l.min_peers then c.stats_year
        end as reference_year,
        case when s.standard_unit_cost_yuan is null then c.project_count end as peer_count,
        e.adjusted_budget_yuan as previous_adjusted_budget_yuan,
        e.spent_yuan as previous_spent_yuan,
        case when e.has_balance then e.execution_rate end as previous_execution_rate,
        case when e.has_balance then 1 - e.execution_rate end as previous_balance_rate,
        coalesce(e.has_balance and e.spent_yuan <= e.adjusted_budget_yuan * (1 - l.balance_line), false)
            as is_result_capped,
        g.grade
    from requests as r
    cross join limits as l
    left join matched as m on r.project_code = m.project_code
    left join standards as s
        on r.service_class = s.service_class and r.output_unit = s.output_unit
    left join latest_class as c
        on r.service_class = c.service_class and r.output_unit = c.output_unit
    left join previous_year_end as e on m.previous_project_code = e.project_code
    left join previous_grades as g on m.previous_project_code = g.project_code
    where $scope_sensitive or not (r.is_department_sensitive or m.is_previous_sensitive)
),

-- the cost the plan would have at the reference unit cost, kept exact to 12 decimals
costed as (
    select
        *,
        (reference_unit_cost * planned_output_quantity)::decimal(38, 12) as reference_cost
    from referenced
),

capped as (
    select
        *,
        coalesce(reference_cost > 0 and requested_amount_yuan > reference_cost * (1 + cost_line), false)
            as is_cost_capped
    from costed
),

final as (
    select
        project_code,
        project_name,
        department_name as department,
        requested_amount_yuan,
        planned_output_quantity::double as planned_output_quantity,
        exact_ratio(requested_amount_yuan, planned_output_quantity)::double as requested_unit_cost_yuan,
        reference_unit_cost::double as reference_unit_cost_yuan,
        reference_basis,
        case when is_cost_capped then round(reference_cost, 2)::decimal(18, 2) end as cost_cap_yuan,
        case when is_result_capped then previous_spent_yuan::decimal(18, 2) end as result_cap_yuan,
        grade,
        -- least() ignores nulls: a cap that does not apply plays no part
        least(
            requested_amount_yuan,
            case when is_cost_capped then round(reference_cost, 2)::decimal(18, 2) end,
            case when is_result_capped then previous_spent_yuan::decimal(18, 2) end
        ) as suggested_amount_yuan,
        department_code,
        unit_code,
        service_class,
        output_unit,
        is_new,
        reference_year,
        peer_count,
        exact_ratio(requested_amount_yuan - reference_cost, reference_cost)::double as reference_deviation,
        cost_line::double as cost_line,
        previous_project_code,
        previous_adjusted_budget_yuan,
        previous_spent_yuan,
        previous_execution_rate::double as previous_execution_rate,
        previous_balance_rate::double as previous_balance_rate,
        balance_line::double as balance_line,
        is_cost_capped,
        is_result_capped,
        coalesce(grade = '差', false) as is_grade_poor
    from capped
)

select * from final
order by department_code asc, project_code asc
