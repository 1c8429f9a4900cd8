-- grain: one row per article_id (pages classified as articles; the others are in the pages
-- mart); the latest capture is the current version (latest by the page's own
-- modified/published time first, so capture order does not decide it).
-- Narrow: the keys and the columns the dedup, story and dimension models use. The descriptive
-- columns stay in stg_lake__articles (fct_articles joins them by capture_id: one wide copy
-- written, not two), and bodies and signatures stay in the lake, read by the current row's
-- locator (lake_file, lake_row) from stg_lake__article_payloads where needed.
with capture_keys as (
    select
        article_id,
        capture_id,
        published_at,
        modified_at,
        fetched_at
    from {{ ref('stg_lake__articles') }}
    where page_type = 'article'
),

capture_counts as (
    select
        article_id,
        count(*) as count_captures,
        min(fetched_at) as first_fetched_at,
        max(fetched_at) as last_fetched_at
    from capture_keys
    group by article_id
),

latest as (
    select
        article_id,
        capture_id
    from capture_keys
    qualify row_number() over (
        partition by article_id
        order by
            coalesce(modified_at, published_at) desc nulls last,
            fetched_at desc,
            capture_id desc
    ) = 1
),

articles as (
    select
        article_id,
        capture_id,
        content_sha256,
        source_id,
        source_domain,
        source_name,
        source_id_source,
        source_platform,
        sitename,
        wire_agency,
        published_at,
        published_date,
        -- an instant to order articles and window stories by, never shown: the UTC instant,
        -- else the local time as written, else midday of the local day (a day-only date)
        coalesce(
            published_at,
            timezone('UTC', published_at_local),
            timezone('UTC', cast(published_date as timestamp) + interval 12 hour)
        ) as published_sort_at,
        count_shingles,
        count_topic_terms,
        lake_file,
        lake_row
    from {{ ref('stg_lake__articles') }}
    where page_type = 'article'
),

final as (
    select
        articles.*,
        capture_counts.count_captures,
        capture_counts.first_fetched_at,
        capture_counts.last_fetched_at
    from latest
    inner join articles
        on latest.capture_id = articles.capture_id
        and latest.article_id = articles.article_id
    inner join capture_counts
        on latest.article_id = capture_counts.article_id
)

select * from final
