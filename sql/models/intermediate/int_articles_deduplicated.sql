-- grain: one row per article_id; the latest capture is the current version (latest by the
-- page's own modified/published time first, so capture order does not decide it)
with articles as (
    select * from {{ ref('stg_lake__articles') }}
),

capture_counts as (
    select
        article_id,
        count(*) as count_captures,
        min(fetched_at) as first_fetched_at,
        max(fetched_at) as last_fetched_at
    from articles
    group by article_id
),

latest as (
    select *
    from articles
    qualify row_number() over (
        partition by article_id
        order by
            coalesce(modified_at, published_at) desc nulls last,
            fetched_at desc,
            capture_id desc
    ) = 1
),

final as (
    select
        latest.*,
        capture_counts.count_captures,
        capture_counts.first_fetched_at,
        capture_counts.last_fetched_at
    from latest
    inner join capture_counts
        on latest.article_id = capture_counts.article_id
)

select * from final
