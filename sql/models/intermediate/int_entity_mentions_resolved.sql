-- grain: one row per mention in the current version of an article, with its resolved entity
with mentions as (
    select * from {{ ref('stg_lake__mentions') }}
),

articles as (
    select
        article_id,
        capture_id
    from {{ ref('int_articles_deduplicated') }}
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
        mentions.mention_text,
        mentions.start_char,
        mentions.end_char,
        mentions.local_name,
        mentions.is_in_title,
        mentions.mention_source,
        mentions.type_evidence
    from mentions
    inner join articles
        on mentions.capture_id = articles.capture_id
    inner join entity_map
        on mentions.entity_type = entity_map.entity_type
        and mentions.name_key = entity_map.name_key
    inner join entities
        on entity_map.entity_id = entities.entity_id
)

select * from resolved
