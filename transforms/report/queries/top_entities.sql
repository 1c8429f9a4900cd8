-- one row per entity: the 10 entities of each type named in the most articles
with ranked as (
    select
        entity_id,
        entity_type,
        entity_name,
        count_articles,
        row_number() over (
            partition by entity_type order by count_articles desc, entity_name
        ) as entity_rank
    from dim_entities
    where count_articles > 0
)

select * from ranked where entity_rank <= 10 order by entity_type, entity_rank
