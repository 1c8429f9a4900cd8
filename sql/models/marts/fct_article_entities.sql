-- grain: one row per (article_id, entity_id).
-- Incremental: a build recomputes the articles int_mentions_changed lists.
{{
    config(
        materialized='incremental',
        unique_key='article_entity_id',
        scope_columns=['article_id'],
        incremental_strategy='scope_replace',
    )
}}
-- depends_on: {{ ref('int_entities_changed') }}

with mentions as (
    select * from {{ ref('int_entity_mentions_resolved') }}
    {%- if is_incremental() %}
    where article_id in (select article_id from {{ ref('int_mentions_changed') }})
    {%- endif %}
),

final as (
    select
        md5(concat_ws('|', article_id, entity_id)) as article_entity_id,
        article_id,
        entity_id,
        any_value(entity_type) as entity_type,
        count(*) as count_mentions,
        min(start_char) as first_start_char,
        bool_or(is_in_title) as is_in_title,
        {{ loaded_at() }} as _loaded_at
    from mentions
    group by article_id, entity_id
)

{{ with_scope('final', ref('int_mentions_changed'), 'article_id') }}
