-- grain: one row per current article (article_id) with its story: the connected component of
-- duplicate links and story pairs, named by its first published article (story_id).
-- Incremental: a build recomputes the stories of the articles int_stories_changed lists.
{{
    config(
        materialized='incremental',
        unique_key='article_id',
        incremental_strategy='scope_replace',
    )
}}
{%- set scoped = is_incremental() %}

with recursive

articles as (
    select
        article_id,
        published_sort_at,
        first_fetched_at
    from {{ ref('int_articles_deduplicated') }}
    {%- if scoped %}
    where article_id in (select article_id from {{ ref('int_stories_changed') }})
    {%- endif %}
),

duplicates as (
    select
        article_id,
        duplicate_cluster_id
    from {{ ref('int_duplicate_clusters') }}
    where article_id != duplicate_cluster_id
    {%- if scoped %}
        and article_id in (select article_id from articles)
    {%- endif %}
),

story_pairs as (
    select
        article_id_a,
        article_id_b
    from {{ ref('int_story_pairs') }}
    {%- if scoped %}
    where article_id_a in (select article_id from articles)
    {%- endif %}
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
        ) as story_id,
        {{ loaded_at() }} as _loaded_at
    from labelled
)

{{ with_scope('final', ref('int_stories_changed'), 'article_id') }}
