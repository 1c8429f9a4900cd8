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

sources as (
    select
        source_id,
        max(source_domain) as source_domain,
        -- ties: alphabetical (mode alone keeps whichever it read first)
        mode(source_name order by source_name) filter (where source_name is not null)
            as source_name,
        mode(source_id_source order by source_id_source) as source_id_source,
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
        count_articles,
        first_published_at,
        last_published_at,
        first_fetched_at,
        {{ loaded_at() }} as _loaded_at
    from sources
)

{{ with_scope('final', 'scope', 'source_id') }}
