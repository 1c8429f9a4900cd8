-- grain: one row per publisher (source_id)
with articles as (
    select * from {{ ref('int_articles_deduplicated') }}
),

sources as (
    select
        source_id,
        max(source_domain) as source_domain,
        mode(source_name) filter (where source_name is not null) as source_name,
        mode(source_id_source) as source_id_source,
        max(source_platform) as source_platform,
        count(*) as count_articles,
        min(published_at) as first_published_at,
        max(published_at) as last_published_at,
        min(first_fetched_at) as first_fetched_at
    from articles
    group by source_id
),

final as (
    select
        source_id,
        source_domain,
        coalesce(source_name, source_domain, source_id) as source_name,
        source_id_source,
        source_platform,
        count_articles,
        first_published_at,
        last_published_at,
        first_fetched_at
    from sources
)

select * from final
