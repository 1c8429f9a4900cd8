-- one row per (top entity, period): articles naming it, by publication period ($period: day,
-- week or month); $entity_ids: the top entities
with mentions as (
    select
        article_entities.entity_id,
        articles.published_at
    from fct_article_entities as article_entities
    inner join fct_articles as articles using (article_id)
    where
        articles.published_at is not null
        and article_entities.entity_id in (select unnest($entity_ids))
),

final as (
    select
        entities.entity_type,
        entities.entity_name,
        strftime(date_trunc($period, mentions.published_at), '%Y-%m-%d') as period_start,
        count(*) as count_articles
    from mentions
    inner join dim_entities as entities using (entity_id)
    group by all
)

select * from final order by entity_type, entity_name, period_start
