-- grain: one row per cluster of exact, near-duplicate and syndicated copies
-- (duplicate_cluster_id = the first published member, whose publisher published first).
-- Incremental: a build recomputes the clusters of the articles int_duplicates_changed lists
-- (a cluster's id is one of its members, so its old row is among them).
{{
    config(
        materialized='incremental',
        unique_key='duplicate_cluster_id',
        incremental_strategy='scope_replace',
    )
}}

with clusters as (
    select * exclude (_loaded_at) from {{ ref('int_duplicate_clusters') }}
    {%- if is_incremental() %}
    where article_id in (select article_id from {{ ref('int_duplicates_changed') }})
    {%- endif %}
),

articles as (
    select
        article_id,
        source_id,
        published_at,
        wire_agency
    from {{ ref('int_articles_deduplicated') }}
),

members as (
    select
        clusters.*,
        articles.source_id,
        articles.published_at,
        articles.wire_agency
    from clusters
    inner join articles
        on clusters.article_id = articles.article_id
),

aggregated as (
    select
        duplicate_cluster_id,
        count(*) as count_articles,
        count(distinct source_id) as count_sources,
        count(*) filter (where duplicate_role = 'copy') as count_copies,
        count(*) filter (where duplicate_role = 'update') as count_updates,
        count(*) filter (where is_exact_duplicate) as count_exact_duplicates,
        -- the agency most members credit (ties: alphabetical), null when none does
        mode(wire_agency order by wire_agency) filter (where wire_agency is not null)
            as wire_agency,
        min(jaccard_to_original) as min_jaccard_to_original,
        max(published_at) as last_published_at
    from members
    group by duplicate_cluster_id
),

originals as (
    select
        duplicate_cluster_id,
        article_id as first_article_id,
        source_id as first_source_id,
        published_at as first_published_at
    from members
    where duplicate_role = 'original'
),

final as (
    select
        aggregated.duplicate_cluster_id,
        originals.first_article_id,
        originals.first_source_id,
        originals.first_published_at,
        aggregated.last_published_at,
        aggregated.wire_agency,
        aggregated.wire_agency is not null as is_syndicated,
        aggregated.count_articles,
        aggregated.count_sources,
        aggregated.count_copies,
        aggregated.count_updates,
        aggregated.count_exact_duplicates,
        aggregated.min_jaccard_to_original,
        {{ loaded_at() }} as _loaded_at
    from aggregated
    inner join originals
        on aggregated.duplicate_cluster_id = originals.duplicate_cluster_id
)

{{ with_scope('final', ref('int_duplicates_changed'), 'article_id') }}
