-- grain: one row per distinct normalised body (content_sha256) of the current articles that
-- has a MinHash signature; identical bodies share one signature, so exact copies never
-- multiply the LSH work. The signature itself stays in the lake: consumers read it by the
-- representative's row locator (representative_lake_file, representative_lake_row).
with current_articles as (
    select
        article_id,
        content_sha256,
        count_shingles,
        lake_file,
        lake_row
    from {{ ref('int_articles_deduplicated') }}
),

signed_rows as (
    select
        lake_file,
        lake_row
    from {{ ref('stg_lake__article_payloads') }}
    where minhash is not null
),

signatures as (
    select
        current_articles.content_sha256,
        min(current_articles.article_id) as representative_article_id,
        arg_min(current_articles.lake_file, current_articles.article_id)
            as representative_lake_file,
        arg_min(current_articles.lake_row, current_articles.article_id)
            as representative_lake_row,
        arg_min(current_articles.count_shingles, current_articles.article_id) as count_shingles,
        count(*) as count_articles
    from current_articles
    semi join signed_rows
        on current_articles.lake_file = signed_rows.lake_file
        and current_articles.lake_row = signed_rows.lake_row
    group by current_articles.content_sha256
),

final as (
    select
        row_number() over (order by content_sha256) as signature_key,
        content_sha256,
        representative_article_id,
        representative_lake_file,
        representative_lake_row,
        count_shingles,
        count_articles
    from signatures
)

select * from final
