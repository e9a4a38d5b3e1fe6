-- The dashboard's settings (time progress basis, lower-is-better method) as stored.
-- params:  (none)
-- returns: one row per setting: key, value
with

final as (
    select key, value
    from settings
)

select * from final
order by key
