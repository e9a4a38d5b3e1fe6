-- The import history, newest first: every file that landed, with its fingerprint and counts,
-- for a batch taken back, who rolled it back and when, and for a rollback undone, who
-- restored it and when (status is 'active' again; rolled_back_* keep the last rollback).
-- row_counts is JSON: the rows written per kind of record (perfbudget/importer/counts.py),
-- the numbers its rollback archives; row_count their sum; replaced_count the rows it
-- replaced (what its rollback puts back).
-- params:  $limit INTEGER
-- returns: one row per batch: batch_id, file_name, sha256, layout, table_kinds, row_count,
--          row_counts, replaced_count, imported_at, imported_by, status, rolled_back_at,
--          rolled_back_by, restored_at, restored_by
with

final as (
    select batch_id, file_name, sha256, layout, table_kinds, row_count, row_counts,
           replaced_count, imported_at, imported_by, status, rolled_back_at, rolled_back_by,
           restored_at, restored_by
    from import_batches
)

select * from final
order by batch_id desc
limit $limit
