-- one row per duplicate cluster: the 12 largest sets of copies, with who published first
with clusters as (
    select
        first_article_id,
        first_source_id,
        first_published_at,
        wire_agency,
        is_syndicated,
        count_articles,
        count_sources,
        count_copies
    from dim_duplicate_clusters
    where count_articles > 1
),

final as (
    select
        coalesce(articles.title, '(untitled)') as title,
        clusters.first_source_id,
        strftime(clusters.first_published_at, '%Y-%m-%d %H:%M') as first_published_at,
        coalesce(clusters.wire_agency, '') as wire_agency,
        clusters.is_syndicated,
        clusters.count_articles,
        clusters.count_sources,
        clusters.count_copies
    from clusters
    left join fct_articles as articles on clusters.first_article_id = articles.article_id
)

select * from final order by count_articles desc, count_sources desc, title limit 12
