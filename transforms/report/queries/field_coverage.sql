-- one row per metadata field: the share of articles that have a value for it
with articles as (
    select
        count(*) as count_articles,
        count(title) filter (where trim(title) <> '') as count_title,
        count(*) filter (where len(authors) > 0) as count_authors,
        count(published_at) as count_published_at,
        count(language) as count_language,
        count(canonical_url) as count_canonical_url,
        count(description) as count_description
    from fct_articles
),

fields as (
    unpivot articles
    on count_title, count_authors, count_published_at, count_language, count_canonical_url,
        count_description
    into name field_column value count_present
),

final as (
    select
        replace(field_column, 'count_', '') as field,
        count_present,
        count_articles,
        count_present / nullif(count_articles, 0) as share_present
    from fields
)

select * from final
