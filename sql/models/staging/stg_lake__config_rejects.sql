-- grain: one row per problem with the last build's configuration (the entity overrides file)
with source as (
    select * from {{ derived_table('config_rejects') }}
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
