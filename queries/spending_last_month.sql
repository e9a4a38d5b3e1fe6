-- The last month of a year with any spending reported: the as-of month a report, a table
-- export or a briefing takes when none is given. Every project's spending counts (no scope):
-- the data's month, whoever asks.
-- params:  $year INTEGER
-- returns: one row, last_month null when the year has no spending: last_month
with

final as (
    select max(month) as last_month
    from spending
    where year = $year
)

select * from final
