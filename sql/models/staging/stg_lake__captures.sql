-- grain: one row per capture_id (captures are immutable; a re-run may have written one twice)
with source as (
    select * from {{ lake_table('captures') }}
),

renamed as (
    select
        capture_id,
        locator,
        source_kind,
        fetched_at,
        http_status,
        content_type,
        declared_charset,
        body_sha256,
        count_bytes,
        origin_url,
        origin_meta,
        warc_file,
        warc_offset,
        _run_id
    from source
    qualify row_number() over (partition by capture_id order by fetched_at, _run_id) = 1
)

select * from renamed
