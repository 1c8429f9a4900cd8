-- grain: one row per publisher (source_id).
-- Incremental: a build recomputes the publishers, at the last build and now, of the articles
-- int_articles_changed lists.
{{
    config(
        materialized='incremental',
        unique_key='source_id',
        incremental_strategy='scope_replace',
    )
}}

-- depends_on: {{ ref('int_articles_changed') }}

with
{% if is_incremental() -%}
scope as (
    select source_id_before as source_id
    from {{ ref('int_articles_changed') }}
    where source_id_before is not null
    union
    select articles.source_id
    from {{ ref('int_articles_deduplicated') }} as articles
    semi join {{ ref('int_articles_changed') }} as changed
        on articles.article_id = changed.article_id
),
{%- endif %}

articles as (
    select * from {{ ref('int_articles_deduplicated') }}
    {%- if is_incremental() %}
    where source_id in (select source_id from scope)
    {%- endif %}
),

-- one pass over the articles: a few groups per publisher, which the counts below roll up
-- (three aggregates of the articles each read every row again)
grouped as (
    select
        source_id,
        source_name,
        source_id_source,
        count(*) as count_articles,
        max(source_domain) as source_domain,
        max(source_platform) as source_platform,
        min(published_at) as first_published_at,
        max(published_at) as last_published_at,
        min(first_fetched_at) as first_fetched_at
    from articles
    group by source_id, source_name, source_id_source
),

-- each publisher's most frequent name and publisher decision, ties broken alphabetically
-- (mode alone keeps whichever value it read first: not the same from one build to the next)
name_counts as (
    select
        source_id,
        source_name,
        sum(count_articles) as count_articles
    from grouped
    where source_name is not null
    group by source_id, source_name
),

decision_counts as (
    select
        source_id,
        source_id_source,
        sum(count_articles) as count_articles
    from grouped
    group by source_id, source_id_source
),

names as (
    select
        source_id,
        source_name
    from name_counts
    qualify row_number() over (
        partition by source_id order by count_articles desc, source_name
    ) = 1
),

decisions as (
    select
        source_id,
        source_id_source
    from decision_counts
    qualify row_number() over (
        partition by source_id order by count_articles desc, source_id_source
    ) = 1
),

sources as (
    select
        source_id,
        max(source_domain) as source_domain,
        max(source_platform) as source_platform,
        sum(count_articles)::bigint as count_articles,
        min(first_published_at) as first_published_at,
        max(last_published_at) as last_published_at,
        min(first_fetched_at) as first_fetched_at
    from grouped
    group by source_id
),

final as (
    select
        sources.source_id,
        sources.source_domain,
        coalesce(names.source_name, sources.source_domain, sources.source_id) as source_name,
        decisions.source_id_source,
        sources.source_platform,
        sources.count_articles,
        sources.first_published_at,
        sources.last_published_at,
        sources.first_fetched_at,
        {{ loaded_at() }} as _loaded_at
    from sources
    left join names
        on sources.source_id = names.source_id
    inner join decisions
        on sources.source_id = decisions.source_id
)

{{ with_scope('final', 'scope', 'source_id') }}
