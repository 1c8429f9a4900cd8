-- grain: one row per article_id whose body is identical to an earlier article's.
-- Incremental: a build recomputes the bodies int_bodies_changed lists.
{{
    config(
        materialized='incremental',
        unique_key='article_id',
        scope_columns=['content_sha256'],
        incremental_strategy='scope_replace',
    )
}}

with articles as (
    select
        article_id,
        content_sha256,
        published_sort_at,
        first_fetched_at
    from {{ ref('int_articles_deduplicated') }}
    {%- if is_incremental() %}
    where content_sha256 in (select content_sha256 from {{ ref('int_bodies_changed') }})
    {%- endif %}
),

ranked as (
    select
        article_id,
        content_sha256,
        first_value(article_id) over (
            partition by content_sha256
            order by published_sort_at asc nulls last, first_fetched_at asc, article_id asc
        ) as duplicate_of_article_id
    from articles
),

final as (
    select
        article_id,
        content_sha256,
        duplicate_of_article_id,
        {{ loaded_at() }} as _loaded_at
    from ranked
    where article_id != duplicate_of_article_id
)

{{ with_scope('final', ref('int_bodies_changed'), 'content_sha256') }}
