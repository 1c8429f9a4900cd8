-- one row per country (ISO 3166-1 alpha-2): articles naming a place in it
with places as (
    select
        entity_id,
        country_code
    from dim_entities
    where entity_type = 'location' and country_code is not null
),

final as (
    select
        places.country_code,
        count(distinct article_entities.article_id) as count_articles
    from fct_article_entities as article_entities
    inner join places using (entity_id)
    group by places.country_code
)

select * from final order by count_articles desc
