-- The audit log (perfbudget/audit.py), newest first: who did what, when, from where. Each
-- filter is left out when null: since (inclusive) and until (exclusive) are ISO date or time
-- texts; user_name and action match exactly.
-- params:  $since VARCHAR, $until VARCHAR, $user_name VARCHAR, $action VARCHAR
-- returns: one row per logged act: logged_at, user_name, action, detail, origin, audit_id
with

final as (
    select logged_at, user_name, action, detail, origin, audit_id
    from audit_log
    where ($since is null or logged_at >= cast($since as timestamp))
      and ($until is null or logged_at < cast($until as timestamp))
      and ($user_name is null or user_name = $user_name)
      and ($action is null or action = $action)
)

select * from final
order by logged_at desc, audit_id desc
