-- grain: one row per current article (article_id) with its story: the connected component of
-- duplicate links and story pairs, named by its first published article (story_id)
with recursive

articles as (
    select
        article_id,
        published_sort_at,
        first_fetched_at
    from {{ ref('int_articles_deduplicated') }}
),

duplicates as (
    select
        article_id,
        duplicate_cluster_id
    from {{ ref('int_duplicate_clusters') }}
    where article_id != duplicate_cluster_id
),

story_pairs as (
    select * from {{ ref('int_story_pairs') }}
),

edges as (
    select
        article_id as node_id,
        duplicate_cluster_id as neighbour_id
    from duplicates
    union
    select
        duplicate_cluster_id as node_id,
        article_id as neighbour_id
    from duplicates
    union
    select
        article_id_a as node_id,
        article_id_b as neighbour_id
    from story_pairs
    union
    select
        article_id_b as node_id,
        article_id_a as neighbour_id
    from story_pairs
),

{{ connected_components('components', 'edges') }},

labelled as (
    select
        articles.*,
        coalesce(components.component_id, articles.article_id) as component_id
    from articles
    left join components
        on articles.article_id = components.node_id
),

final as (
    select
        article_id,
        first_value(article_id) over (
            partition by component_id
            order by published_sort_at asc nulls last, first_fetched_at asc, article_id asc
        ) as story_id
    from labelled
)

select * from final
