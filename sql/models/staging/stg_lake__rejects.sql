-- grain: one row per rejection event (re-runs may reject the same input again)
with source as (
    select * from {{ lake_table('rejects') }}
),

renamed as (
    select
        stage,
        locator,
        reason,
        detail,
        capture_id,
        extractor_version,
        rejected_at,
        _run_id
    from source
)

select * from renamed
