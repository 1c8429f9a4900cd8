-- grain: one row per current article that has an exact or near duplicate (article_id), with
-- its cluster (duplicate_cluster_id = the first published member) and its role in it.
-- Incremental: a build recomputes the clusters of the articles int_duplicates_changed lists.
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
        source_id,
        content_sha256,
        count_shingles,
        published_sort_at,
        first_fetched_at,
        lake_file,
        lake_row
    from {{ ref('int_articles_deduplicated') }}
),

changed as (
    select article_id from {{ ref('int_duplicates_changed') }}
),

exact_duplicates as (
    select
        article_id,
        duplicate_of_article_id
    from {{ ref('int_articles_exact_duplicates') }}
    {%- if scoped %}
    where article_id in (select article_id from changed)
    {%- endif %}
),

near_duplicates as (
    select
        article_id_a,
        article_id_b
    from {{ ref('int_near_duplicate_pairs') }}
    {%- if scoped %}
    where article_id_a in (select article_id from changed)
    {%- endif %}
),

edges as (
    select
        article_id as node_id,
        duplicate_of_article_id as neighbour_id
    from exact_duplicates
    union
    select
        duplicate_of_article_id as node_id,
        article_id as neighbour_id
    from exact_duplicates
    union
    select
        article_id_a as node_id,
        article_id_b as neighbour_id
    from near_duplicates
    union
    select
        article_id_b as node_id,
        article_id_a as neighbour_id
    from near_duplicates
),

{{ connected_components('components', 'edges') }},

member_articles as materialized (
    select
        components.component_id,
        articles.*
    from components
    inner join articles
        on components.node_id = articles.article_id
),

{%- set files = lake_files_in(
    "select lake_file from " ~ ref('int_articles_deduplicated') ~ " where article_id in ("
    ~ "select article_id from " ~ ref('int_duplicates_changed') ~ ")"
) if scoped else none %}
payloads as (
    {{- article_payloads('minhash', files) }}
),

-- the members' signatures only, read from the lake by row locator
member_minhashes as (
    select
        payloads.lake_file,
        payloads.lake_row,
        payloads.minhash
    from payloads
    semi join member_articles
        on payloads.lake_file = member_articles.lake_file
        and payloads.lake_row = member_articles.lake_row
),

members as materialized (
    select
        member_articles.component_id,
        member_articles.article_id,
        member_articles.source_id,
        member_articles.content_sha256,
        member_minhashes.minhash,
        member_articles.count_shingles,
        member_articles.published_sort_at,
        member_articles.first_fetched_at
    from member_articles
    inner join member_minhashes
        on member_articles.lake_file = member_minhashes.lake_file
        and member_articles.lake_row = member_minhashes.lake_row
),

originals as (
    select
        component_id,
        article_id as duplicate_cluster_id,
        source_id as original_source_id,
        content_sha256 as original_content_sha256,
        minhash as original_minhash,
        count_shingles as original_count_shingles
    from members
    qualify row_number() over (
        partition by component_id
        order by published_sort_at asc nulls last, first_fetched_at asc, article_id asc
    ) = 1
),

scored as (
    select
        members.article_id,
        members.source_id,
        members.content_sha256,
        members.count_shingles,
        originals.duplicate_cluster_id,
        originals.original_source_id,
        originals.original_content_sha256,
        originals.original_count_shingles,
        list_sum(
            list_transform(
                range(1, len(members.minhash) + 1),
                lambda position: (members.minhash[position] = originals.original_minhash[position])::int
            )
        ) / len(members.minhash) as jaccard_to_original
    from members
    inner join originals
        on members.component_id = originals.component_id
),

final as (
    select
        article_id,
        duplicate_cluster_id,
        case
            when article_id = duplicate_cluster_id then 'original'
            -- the first publisher's own later, changed text (a new URL for a developing story)
            when source_id = original_source_id
                and content_sha256 != original_content_sha256 then 'update'
            else 'copy'
        end as duplicate_role,
        article_id != duplicate_cluster_id
            and content_sha256 = original_content_sha256 as is_exact_duplicate,
        jaccard_to_original,
        least(
            1.0,
            jaccard_to_original * (count_shingles + original_count_shingles)
            / (1 + jaccard_to_original) / nullif(least(count_shingles, original_count_shingles), 0)
        ) as containment_to_original,
        {{ loaded_at() }} as _loaded_at
    from scored
)

{{ with_scope('final', ref('int_duplicates_changed'), 'article_id') }}
