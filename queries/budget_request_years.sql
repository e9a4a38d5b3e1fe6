-- The years with budget requests (预算申请), latest first: the review page's choice of the
-- requested year (docs/figures.md#budget-request-review).
-- params:  (none)
-- returns: one row per requested year: year, request_count
with

final as (
    select
        year,
        count(*) as request_count
    from budget_requests
    group by year
)

select * from final
order by year desc
