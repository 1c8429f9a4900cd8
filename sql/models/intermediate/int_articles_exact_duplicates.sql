-- grain: one row per article_id whose body is identical to an earlier article's
with articles as (
    select
        article_id,
        content_sha256,
        published_sort_at,
        first_fetched_at
    from {{ ref('int_articles_deduplicated') }}
),

ranked as (
    select
        article_id,
        first_value(article_id) over (
            partition by content_sha256
            order by published_sort_at asc nulls last, first_fetched_at asc, article_id asc
        ) as duplicate_of_article_id
    from articles
),

final as (
    select
        article_id,
        duplicate_of_article_id
    from ranked
    where article_id != duplicate_of_article_id
)

select * from final
