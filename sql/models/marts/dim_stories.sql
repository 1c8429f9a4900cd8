-- grain: one row per story (story_id): articles about one event, from any outlet, in any
-- words; story_id is the story's first published article.
-- Incremental: a build recomputes the stories of the articles int_stories_changed lists (a
-- story's id is one of its members, so its old row is among them).
{{
    config(
        materialized='incremental',
        unique_key='story_id',
        incremental_strategy='scope_replace',
    )
}}

with stories as (
    select
        article_id,
        story_id
    from {{ ref('int_story_clusters') }}
    {%- if is_incremental() %}
    where article_id in (select article_id from {{ ref('int_stories_changed') }})
    {%- endif %}
),

articles as (
    select
        article_id,
        source_id,
        published_at,
        first_fetched_at
    from {{ ref('int_articles_deduplicated') }}
),

duplicates as (
    select * from {{ ref('int_duplicate_clusters') }}
),

members as (
    select
        stories.story_id,
        articles.*,
        duplicates.duplicate_role
    from stories
    inner join articles
        on stories.article_id = articles.article_id
    left join duplicates
        on stories.article_id = duplicates.article_id
),

aggregated as (
    select
        story_id,
        count(*) as count_articles,
        count(distinct source_id) as count_sources,
        count(*) filter (where duplicate_role in ('copy', 'update')) as count_duplicates,
        min(published_at) as first_published_at,
        max(published_at) as last_published_at
    from members
    group by story_id
),

first_articles as (
    select
        story_id,
        article_id as first_article_id,
        source_id as first_source_id
    from members
    where article_id = story_id
),

final as (
    select
        aggregated.story_id,
        first_articles.first_article_id,
        first_articles.first_source_id,
        aggregated.first_published_at,
        aggregated.last_published_at,
        aggregated.count_articles,
        aggregated.count_sources,
        aggregated.count_duplicates,
        {{ loaded_at() }} as _loaded_at
    from aggregated
    inner join first_articles
        on aggregated.story_id = first_articles.story_id
)

{{ with_scope('final', ref('int_stories_changed'), 'article_id') }}
