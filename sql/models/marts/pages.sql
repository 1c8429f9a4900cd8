-- grain: one row per page (page_id): every extracted page, articles and non-articles, as of its
-- latest capture; fct_articles holds the ones classified as articles
with captures as (
    select * from {{ ref('stg_lake__articles') }}
),

latest as (
    select *
    from captures
    qualify row_number() over (
        partition by article_id
        order by fetched_at desc, capture_id desc
    ) = 1
),

final as (
    select
        article_id as page_id,
        page_type,
        article_probability,
        page_type = 'article' as is_article,
        source_id,
        url,
        canonical_url,
        locator,
        title,
        published_date,
        count_words,
        capture_id,
        fetched_at,
        extractor_version
    from latest
)

select * from final
