-- grain: one row per real-world entity (entity_id) mentioned in the current articles.
-- Incremental: a build recomputes the entities int_entities_changed lists.
{{
    config(
        materialized='incremental',
        unique_key='entity_id',
        incremental_strategy='scope_replace',
    )
}}

with entities as (
    select * from {{ ref('stg_lake__entities') }}
    {%- if is_incremental() %}
    where entity_id in (select entity_id from {{ ref('int_entities_changed') }})
    {%- endif %}
),

article_entities as (
    select
        entity_id,
        count(*) as count_articles,
        sum(count_mentions) as count_mentions
    from {{ ref('fct_article_entities') }}
    {%- if is_incremental() %}
    where entity_id in (select entity_id from {{ ref('int_entities_changed') }})
    {%- endif %}
    group by entity_id
),

final as (
    select
        entities.entity_id,
        entities.entity_name,
        entities.entity_type,
        entities.aliases,
        entities.country_code,
        entities.iso_code,
        entities.latitude,
        entities.longitude,
        entities.geonames_id,
        article_entities.count_articles,
        article_entities.count_mentions,
        {{ loaded_at() }} as _loaded_at
    from entities
    inner join article_entities
        on entities.entity_id = article_entities.entity_id
)

{{ with_scope('final', ref('int_entities_changed'), 'entity_id') }}
