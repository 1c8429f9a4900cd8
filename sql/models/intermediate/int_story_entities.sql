-- grain: one row per entity (entity_id) named in a dated article (int_dated_articles): whether
-- it is uncommon enough to link two articles into a story. Entities in many articles
-- (countries, capitals, heads of state) say little about the event, and publishers and wire
-- agencies, named in many stories' text, tell none of them apart.
-- Recomputed whole by every build; in an incremental build only the rows whose flag changed
-- are rewritten (_loaded_at), which tells int_story_articles_changed whose links may change.
{{
    config(
        materialized='incremental',
        unique_key='entity_id',
        incremental_strategy='scope_replace',
        scope_all=true,
    )
}}

with current_articles as (
    select
        source_name,
        sitename,
        wire_agency
    from {{ ref('int_articles_deduplicated') }}
),

-- a few hundred names over a million articles: distinct first, then normalised
distinct_outlet_names as (
    select source_name as outlet_name from current_articles
    union
    select sitename from current_articles
    union
    select wire_agency from current_articles
),

outlet_names as (
    select distinct lower(regexp_replace(outlet_name, '^(?i:the) ', '')) as outlet_name
    from distinct_outlet_names
    where outlet_name is not null
),

entity_names as (
    select
        entity_id,
        lower(regexp_replace(entity_name, '^(?i:the) ', '')) as entity_name
    from {{ ref('stg_lake__entities') }}
),

article_entities as (
    select
        article_entities.article_id,
        article_entities.entity_id
    from {{ ref('fct_article_entities') }} as article_entities
    semi join {{ ref('int_dated_articles') }} as dated_articles
        on article_entities.article_id = dated_articles.article_id
),

entity_counts as (
    select
        entity_id,
        count(*) as count_articles
    from article_entities
    group by entity_id
),

final as (
    select
        entity_counts.entity_id,
        entity_counts.count_articles between 2 and {{ var('story_max_entity_articles') }}
            and outlet_names.outlet_name is null as is_uncommon,
        {{ loaded_at() }} as _loaded_at
    from entity_counts
    inner join entity_names
        on entity_counts.entity_id = entity_names.entity_id
    left join outlet_names
        on entity_names.entity_name = outlet_names.outlet_name
)

select * from final
