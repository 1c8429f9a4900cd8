-- grain: one row per distinct normalised body (content_sha256) of the current articles;
-- identical bodies share one signature, so exact copies never multiply the LSH work
with articles as (
    select
        article_id,
        content_sha256,
        minhash,
        count_shingles
    from {{ ref('int_articles_deduplicated') }}
    where minhash is not null
),

signatures as (
    select
        content_sha256,
        min(article_id) as representative_article_id,
        any_value(minhash) as minhash,
        any_value(count_shingles) as count_shingles,
        count(*) as count_articles
    from articles
    group by content_sha256
),

final as (
    select
        row_number() over (order by content_sha256) as signature_key,
        content_sha256,
        representative_article_id,
        minhash,
        count_shingles,
        count_articles
    from signatures
)

select * from final
