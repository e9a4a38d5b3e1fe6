-- What the database says about itself: its schema and stored-results versions and, for the
-- synthetic demo, that it is synthetic (is_synthetic = 'true'), its scale, seed and year.
-- params:  (none)
-- returns: one row per entry: key, value
with

final as (
    select key, value
    from meta
)

select * from final
order by key
