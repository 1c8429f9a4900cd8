-- grain: one row per article (article_id); published as Parquet only, viewed from DuckDB
with articles as (
    select
        article_id,
        body_text
    from {{ ref('int_articles_deduplicated') }}
)

select * from articles
