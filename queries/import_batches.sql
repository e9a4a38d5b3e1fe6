-- The import history, newest first: every file that landed, with its fingerprint and counts,
-- and for a batch taken back, who rolled it back and when.
-- params:  $limit INTEGER
-- returns: one row per batch: batch_id, file_name, sha256, layout, table_kinds, row_count,
--          row_counts, replaced_count, imported_at, imported_by, status, rolled_back_at,
--          rolled_back_by
with

final as (
    select batch_id, file_name, sha256, layout, table_kinds, row_count, row_counts,
           replaced_count, imported_at, imported_by, status, rolled_back_at, rolled_back_by
    from import_batches
)

select * from final
order by batch_id desc
limit $limit
