-- grain: one row per article (article_id). A view: publishing streams the bodies from the lake
-- straight into article_texts' Parquet parts (article_id, body_text: a part per lake file,
-- kept while the file's current rows stay the same), and the published DuckDB file views
-- those. lake_file, lake_row and content_sha256 say which lake rows (and bodies) the publish
-- reads; _loaded_at, when a
-- build last changed the article's current row (its data tests read only those in an
-- incremental build).
{{ config(materialized='view', changed_row_tests=true) }}

with current_rows as (
    select
        article_id,
        lake_file,
        lake_row,
        content_sha256,
        _loaded_at
    from {{ ref('int_articles_deduplicated') }}
),

payloads as (
    select
        lake_file,
        lake_row,
        body_text
    from {{ ref('stg_lake__article_payloads') }}
),

-- the current rows' bodies: the narrow current rows are the hash table, the bodies stream;
-- article_id is the current row's (the same lake row's), so the data tests of a build's rows
-- read no lake column, only the locators
final as (
    select
        current_rows.article_id,
        payloads.body_text,
        payloads.lake_file,
        payloads.lake_row,
        current_rows.content_sha256,
        current_rows._loaded_at
    from payloads
    inner join current_rows
        on payloads.lake_file = current_rows.lake_file
        and payloads.lake_row = current_rows.lake_row
)

select * from final
