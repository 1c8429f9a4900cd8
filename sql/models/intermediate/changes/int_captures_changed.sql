-- grain: one row per capture (capture_id) whose current row this build may change: captures
-- with rows in the articles files added since the last build, and captures whose current row
-- was in a file since removed (compaction moved it). article_id_before is its article at the
-- last build (null for a new capture). Empty in a full build.
{%- set added = changed_lake_files('articles', 'added') %}

with
{% if is_incremental_build() -%}
added_rows as (
    select distinct capture_id
    from {{ lake_table_files('articles', added) }}
    where extractor_version = '{{ var("extractor_version") }}'
        or '{{ var("extractor_version") }}' = ''
),

removed_files as (
    select lake_file
    from {{ ref('int_lake_files') }}
    where lake_table = 'articles' and removed_at = {{ loaded_at() }}
),

previous_rows as (
    select
        capture_id,
        article_id,
        lake_file
    from {{ previous('stg_lake__articles') }}
),

changed as (
    select capture_id from added_rows
    union
    select previous_rows.capture_id
    from previous_rows
    semi join removed_files
        on previous_rows.lake_file = removed_files.lake_file
),

final as (
    select
        changed.capture_id,
        previous_rows.article_id as article_id_before
    from changed
    left join previous_rows
        on changed.capture_id = previous_rows.capture_id
)
{%- else -%}
final as (
    select
        cast(null as varchar) as capture_id,
        cast(null as varchar) as article_id_before
    where false
)
{%- endif %}

select * from final
