-- one row per place with coordinates: the 300 named in the most articles
select
    entity_name,
    country_code,
    latitude,
    longitude,
    count_articles
from dim_entities
where
    entity_type = 'location'
    and latitude is not null
    and longitude is not null
    and count_articles > 0
order by count_articles desc, entity_name
limit 300
