-- grain: one row per (article_id, entity_id)
with mentions as (
    select * from {{ ref('int_entity_mentions_resolved') }}
),

final as (
    select
        md5(concat_ws('|', article_id, entity_id)) as article_entity_id,
        article_id,
        entity_id,
        any_value(entity_type) as entity_type,
        count(*) as count_mentions,
        min(start_char) as first_start_char,
        bool_or(is_in_title) as is_in_title
    from mentions
    group by article_id, entity_id
)

select * from final
