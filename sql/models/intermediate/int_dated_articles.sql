-- grain: one row per current article (article_id) that can join a story by its words: it has
-- a publication time and a topic signature, and it is the first article of its body
-- (identical copies are linked as duplicates already). With its article_key for the LSH
-- tables and its topic signature's row locator.
-- Incremental: a build recomputes the articles of the bodies int_bodies_changed lists.
{{
    config(
        materialized='incremental',
        unique_key='article_id',
        incremental_strategy='scope_replace',
    )
}}

-- depends_on: {{ ref('int_bodies_changed') }}
-- depends_on: {{ ref('int_articles_changed') }}

with
{% if is_incremental() -%}
-- the articles whose row may change: every article, before and now, of a changed body
scope as (
    select articles.article_id
    from {{ ref('int_articles_deduplicated') }} as articles
    semi join {{ ref('int_bodies_changed') }} as changed_bodies
        on articles.content_sha256 = changed_bodies.content_sha256
    union
    select article_id from {{ ref('int_articles_changed') }}
),

current_articles as (
    select *
    from {{ rows_where(
        ref('int_articles_deduplicated'),
        "content_sha256 in (select content_sha256 from " ~ ref('int_bodies_changed') ~ ")"
    ) }}
),
{%- else -%}
current_articles as (
    select * from {{ ref('int_articles_deduplicated') }}
),
{%- endif %}

final as (
    select
        current_articles.article_id,
        current_articles.article_key,
        current_articles.published_sort_at,
        -- whole days since the epoch: the LSH join is bucketed by day
        date_diff('day', date '1970-01-01', cast(current_articles.published_sort_at as date))
            as published_day,
        current_articles.count_topic_terms,
        current_articles.lake_file,
        current_articles.lake_row,
        {{ loaded_at() }} as _loaded_at
    from current_articles
    -- extraction writes the topic signature and its term count together: a row has one exactly
    -- when it has count_topic_terms (no need to read the signatures from the lake to know)
    where current_articles.published_sort_at is not null
        and current_articles.count_topic_terms is not null
    -- one article per body: identical copies are linked as duplicates already
    qualify row_number() over (
        partition by current_articles.content_sha256 order by current_articles.article_id
    ) = 1
)

{{ with_scope('final', 'scope', 'article_id') }}
