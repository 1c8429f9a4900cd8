-- one row per story: the 12 covered by the most articles (more than one), first publisher first
with stories as (
    select
        story_id,
        first_article_id,
        first_source_id,
        first_published_at,
        count_articles,
        count_sources
    from dim_stories
    where count_articles > 1
),

final as (
    select
        coalesce(articles.title, '(untitled)') as title,
        stories.first_source_id,
        strftime(stories.first_published_at, '%Y-%m-%d %H:%M') as first_published_at,
        stories.count_articles,
        stories.count_sources
    from stories
    left join fct_articles as articles on stories.first_article_id = articles.article_id
)

select * from final order by count_articles desc, count_sources desc, title limit 12
