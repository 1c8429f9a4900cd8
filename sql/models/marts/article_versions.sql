-- grain: one row per version of an article (article_version_id): each distinct normalised body
-- captured under one article_id, valid from its modified (else published, else first capture)
-- time until the next version's.
-- Incremental: a build recomputes the articles int_articles_changed lists.
{{
    config(
        materialized='incremental',
        unique_key='article_version_id',
        scope_columns=['article_id'],
        incremental_strategy='scope_replace',
    )
}}

with captures as (
    select
        article_id,
        capture_id,
        content_sha256,
        title,
        count_words,
        published_at,
        modified_at,
        fetched_at
    {%- if is_incremental() %}
    from {{ rows_where(
        ref('stg_lake__articles'),
        "article_id in (select article_id from " ~ ref('int_articles_changed') ~ ")"
    ) }}
    {%- else %}
    from {{ ref('stg_lake__articles') }}
    {%- endif %}
    where page_type = 'article'
),

versions as (
    select
        article_id,
        content_sha256,
        -- the same order int_articles_deduplicated uses to pick the current capture
        max(coalesce(modified_at, published_at)) as last_stated_at,
        max(fetched_at) as last_fetched_at,
        min(fetched_at) as first_fetched_at,
        min(modified_at) as modified_at,
        min(published_at) as published_at,
        arg_min(capture_id, fetched_at) as first_capture_id,
        arg_max(title, fetched_at) as title,
        arg_max(count_words, fetched_at) as count_words,
        count(*) as count_captures
    from captures
    group by article_id, content_sha256
),

-- one window (one sort) over each article's versions: the next version's start is where this
-- one ends (a next version is never the first, so its start never falls back to published_at)
final as (
    select
        md5(concat_ws('|', article_id, content_sha256)) as article_version_id,
        article_id,
        row_number() over article_order as version_number,
        content_sha256,
        first_capture_id as capture_id,
        title,
        count_words,
        coalesce(
            modified_at,
            case when row_number() over article_order = 1 then published_at end,
            first_fetched_at
        ) as valid_from,
        coalesce(
            lead(modified_at) over article_order, lead(first_fetched_at) over article_order
        ) as valid_to,
        -- first_fetched_at is never null: no next version's means this is the current one
        lead(first_fetched_at) over article_order is null as is_current,
        count_captures,
        first_fetched_at,
        last_fetched_at,
        {{ loaded_at() }} as _loaded_at
    from versions
    window article_order as (
        partition by article_id
        order by last_stated_at asc nulls first, last_fetched_at asc, content_sha256 asc
    )
)

{{ with_scope('final', ref('int_articles_changed'), 'article_id') }}
