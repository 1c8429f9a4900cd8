-- grain: one row per mention in the current version of an article, with its resolved entity.
-- Incremental: a build recomputes the articles int_mentions_changed lists.
{{
    config(
        materialized='incremental',
        unique_key='mention_id',
        scope_columns=['article_id'],
        incremental_strategy='scope_replace',
    )
}}

with articles as (
    select
        article_id,
        capture_id
    from {{ ref('int_articles_deduplicated') }}
    {%- if is_incremental() %}
    where article_id in (select article_id from {{ ref('int_mentions_changed') }})
    {%- endif %}
),

mentions as (
    select mentions.*
    from {{ ref('stg_lake__mentions') }} as mentions
    semi join articles
        on mentions.capture_id = articles.capture_id
),

entity_map as (
    select * from {{ ref('stg_lake__entity_map') }}
),

entities as (
    select
        entity_id,
        entity_type
    from {{ ref('stg_lake__entities') }}
),

resolved as (
    select
        md5(concat_ws('|', articles.article_id, mentions.start_char, mentions.end_char, entity_map.entity_id))
            as mention_id,
        articles.article_id,
        entity_map.entity_id,
        -- the entity's type: a name other articles agree is another type takes theirs
        entities.entity_type,
        -- the model's type and the name key: which entity_map row the mention resolved by
        mentions.entity_type as model_entity_type,
        mentions.name_key,
        mentions.mention_text,
        mentions.start_char,
        mentions.end_char,
        mentions.local_name,
        mentions.is_in_title,
        mentions.mention_source,
        mentions.type_evidence,
        {{ loaded_at() }} as _loaded_at
    from mentions
    inner join articles
        on mentions.capture_id = articles.capture_id
    inner join entity_map
        on mentions.entity_type = entity_map.entity_type
        and mentions.name_key = entity_map.name_key
    inner join entities
        on entity_map.entity_id = entities.entity_id
)

{{ with_scope('resolved', ref('int_mentions_changed'), 'article_id') }}
