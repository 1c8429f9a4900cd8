-- grain: one row per real-world entity (entity_id) mentioned in the current articles
with entities as (
    select * from {{ ref('stg_lake__entities') }}
),

article_entities as (
    select
        entity_id,
        count(*) as count_articles,
        sum(count_mentions) as count_mentions
    from {{ ref('fct_article_entities') }}
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
        article_entities.count_mentions
    from entities
    inner join article_entities
        on entities.entity_id = article_entities.entity_id
)

select * from final
