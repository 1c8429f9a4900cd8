-- grain: one row per part file (lake_file) of the lake tables the models read incrementally,
-- as builds found them: added_at, the build that first listed it, and removed_at, the build
-- that found it gone (compaction merges small files into a new one). A build's changes are
-- the files it added and removed.
{{ config(materialized='incremental', unique_key='lake_file', incremental_strategy='delete+insert') }}
{%- set tables = ['articles', 'captures', 'mentions'] %}

with listed as (
    {%- for table_name in tables %}
    select
        '{{ table_name }}' as lake_table,
        file as lake_file
    from glob({{ lake_path(table_name ~ '/*.parquet') }})
    {{ "union all" if not loop.last }}
    {%- endfor %}
),

{% if is_incremental() -%}
known as (
    select * from {{ this }}
),

added as (
    select
        listed.lake_table,
        listed.lake_file,
        {{ loaded_at() }} as added_at,
        cast(null as timestamp with time zone) as removed_at
    from listed
    anti join known
        on listed.lake_file = known.lake_file
),

removed as (
    select
        known.lake_table,
        known.lake_file,
        known.added_at,
        {{ loaded_at() }} as removed_at
    from known
    anti join listed
        on known.lake_file = listed.lake_file
    where known.removed_at is null
),

final as (
    select * from added
    union all
    select * from removed
)
{%- else -%}
final as (
    select
        lake_table,
        lake_file,
        {{ loaded_at() }} as added_at,
        cast(null as timestamp with time zone) as removed_at
    from listed
)
{%- endif %}

select * from final
