-- grain: one row per entity mention (mention_id) in the current version of an article
with mentions as (
    select * from {{ ref('int_entity_mentions_resolved') }}
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
        type_evidence
    from mentions
)

select * from final
