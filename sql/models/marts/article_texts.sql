-- grain: one row per article (article_id). A view: publishing streams the bodies from the lake
-- straight into article_texts.parquet, and the published DuckDB file views that file.
{{ config(materialized='view') }}

with current_rows as (
    select
        lake_file,
        lake_row
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

-- the current rows' bodies: a semi join keeps the bodies on the streaming side
final as (
    select
        payloads.article_id,
        payloads.body_text
    from payloads
    semi join current_rows
        on payloads.lake_file = current_rows.lake_file
        and payloads.lake_row = current_rows.lake_row
)

select * from final
