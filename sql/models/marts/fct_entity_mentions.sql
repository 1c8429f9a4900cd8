-- grain: one row per entity mention (mention_id) in the current version of an article.
-- Incremental: a build recomputes the articles int_mentions_changed lists.
{{
    config(
        materialized='incremental',
        unique_key='mention_id',
        scope_columns=['article_id'],
        incremental_strategy='scope_replace',
    )
}}

with mentions as (
    select * from {{ ref('int_entity_mentions_resolved') }}
    {%- if is_incremental() %}
    where article_id in (select article_id from {{ ref('int_mentions_changed') }})
    {%- endif %}
),

final as (
    select
        mention_id,
        article_id,
        entity_id,
        entity_type,
        mention_text,
        start_char,
        end_char,
        is_in_title,
        mention_source,
        type_evidence,
        {{ loaded_at() }} as _loaded_at
    from mentions
)

{{ with_scope('final', ref('int_mentions_changed'), 'article_id') }}
