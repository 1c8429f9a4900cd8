-- one row per (metadata field, where its value came from): articles; 'none' when absent
with sources as (
    select
        coalesce(title_source, 'none') as title,
        coalesce(authors_source, 'none') as authors,
        coalesce(published_at_source, 'none') as published_at,
        coalesce(language_source, 'none') as language
    from fct_articles
),

long as (
    unpivot sources
    on title, authors, published_at, language
    into name field value value_source
)

select
    field,
    value_source,
    count(*) as count_articles
from long
group by all
order by field, count_articles desc
