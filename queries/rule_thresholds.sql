-- The thresholds of the warning rules, the league table and the self-evaluation as they are
-- stored (what every flag is judged against), with the default each started from.
-- params:  (none)
-- returns: one row per threshold, by rule: rule_id, name, value, description
with

final as (
    select rule_id, name, value, description
    from thresholds
)

select * from final
order by rule_id, name
