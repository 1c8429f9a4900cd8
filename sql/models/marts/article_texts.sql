-- grain: one row per article (article_id). A view: publishing streams the bodies from the lake
-- straight into article_texts' Parquet parts, and the published DuckDB file views those.
-- _loaded_at: when a build last changed the article's current row (a publish rewrites only
-- the bodies of the parts whose articles changed).
{{ config(materialized='view', changed_row_tests=true) }}

with current_rows as (
    select
        lake_file,
        lake_row,
        _loaded_at
    from {{ ref('int_articles_deduplicated') }}
),

payloads as (
    select
        lake_file,
        lake_row,
        article_id,
        body_text
    from {{ ref('stg_lake__article_payloads') }}
),

-- the current rows' bodies: the narrow current rows are the hash table, the bodies stream
final as (
    select
        payloads.article_id,
        payloads.body_text,
        current_rows._loaded_at
    from payloads
    inner join current_rows
        on payloads.lake_file = current_rows.lake_file
        and payloads.lake_row = current_rows.lake_row
)

select * from final
