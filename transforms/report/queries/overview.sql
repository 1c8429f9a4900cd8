-- one row: the warehouse's headline figures
with articles as (
    select
        count(*) as count_articles,
        count(published_at) as count_dated,
        min(published_at) as first_published_at,
        max(published_at) as last_published_at
    from fct_articles
),

sources as (
    select count(*) as count_sources from dim_sources
),

entities as (
    select count(*) as count_entities from dim_entities
),

stories as (
    select
        count(*) as count_stories,
        count(*) filter (where count_sources > 1) as count_stories_multi_source
    from dim_stories
),

clusters as (
    select count(*) filter (where is_syndicated) as count_syndicated_clusters
    from dim_duplicate_clusters
),

rejected as (
    select count(*) as count_rejects from rejects
),

final as (
    select
        articles.count_articles,
        articles.count_dated,
        strftime(articles.first_published_at, '%Y-%m-%d') as first_published_date,
        strftime(articles.last_published_at, '%Y-%m-%d') as last_published_date,
        sources.count_sources,
        entities.count_entities,
        stories.count_stories,
        stories.count_stories_multi_source,
        clusters.count_syndicated_clusters,
        rejected.count_rejects
    from articles
    cross join sources
    cross join entities
    cross join stories
    cross join clusters
    cross join rejected
)

select * from final
