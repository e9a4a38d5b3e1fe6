-- The import history, newest first: every file that landed, with its fingerprint and counts.
-- params:  $limit INTEGER
-- returns: one row per batch: batch_id, file_name, sha256, layout, table_kinds, row_count,
--          row_counts, replaced_count, imported_at, imported_by, status
with

final as (
    select batch_id, file_name, sha256, layout, table_kinds, row_count, row_counts,
           replaced_count, imported_at, imported_by, status
    from import_batches
)

select * from final
order by batch_id desc
limit $limit
