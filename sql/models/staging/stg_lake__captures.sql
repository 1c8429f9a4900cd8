-- grain: one row per capture_id (captures are immutable; a re-run may have written one twice:
-- the first written is kept). A table: an incremental build chooses again only for the
-- captures with rows in the captures files added since the last build, between those rows
-- and the row it kept.
{{
    config(
        materialized='incremental',
        unique_key='capture_id',
        incremental_strategy='scope_replace',
    )
}}
-- depends_on: {{ ref('int_lake_files') }}

with
{% if is_incremental() -%}
{%- set added = changed_lake_files('captures', 'added') %}
added_rows as (
    select * from {{ lake_table_files('captures', added) }}
),

source as (
    select * from added_rows
    union all by name
    select kept.* exclude (_loaded_at)
    from {{ rows_where(this, "capture_id in (select capture_id from added_rows)") }} as kept
),
{%- else -%}
source as (
    select * from {{ lake_table('captures') }}
),
{%- endif %}

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
        _run_id,
        {{ loaded_at() }} as _loaded_at
    from source
    qualify row_number() over (partition by capture_id order by fetched_at, _run_id) = 1
)

select * from renamed
