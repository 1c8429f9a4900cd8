-- grain: one row per article_id (pages classified as articles; the others are in the pages
-- mart); the latest capture is the current version (latest by the page's own
-- modified/published time first, so capture order does not decide it).
-- Narrow: the keys and the columns the dedup, story and dimension models use. The descriptive
-- columns stay in stg_lake__articles (fct_articles joins them by capture_id: one wide copy
-- written, not two), and bodies and signatures stay in the lake, read by the current row's
-- locator (lake_file, lake_row) from stg_lake__article_payloads where needed.
-- article_key: a compact integer for the LSH tables, kept for the article's lifetime.
-- Incremental: a build recomputes the articles int_articles_changed lists.
{{
    config(
        materialized='incremental',
        unique_key='article_id',
        incremental_strategy='scope_replace',
    )
}}

with
{% if is_incremental() -%}
changed as (
    select * from {{ ref('int_articles_changed') }}
),

all_captures as (
    select *
    from {{ rows_where(
        ref('stg_lake__articles'), "article_id in (select article_id from changed)"
    ) }}
    where page_type = 'article'
),
{%- else -%}
all_captures as (
    select * from {{ ref('stg_lake__articles') }}
    where page_type = 'article'
),
{%- endif %}

-- the latest capture of each article, with the count and first and last fetch of all of them:
-- one window (one sort) over the captures, no aggregate joined back
current_articles as (
    select
        article_id,
        capture_id,
        content_sha256,
        source_id,
        source_domain,
        source_name,
        source_id_source,
        source_platform,
        sitename,
        wire_agency,
        published_at,
        published_date,
        -- an instant to order articles and window stories by, never shown: the UTC instant,
        -- else the local time as written, else midday of the local day (a day-only date)
        coalesce(
            published_at,
            timezone('UTC', published_at_local),
            timezone('UTC', cast(published_date as timestamp) + interval 12 hour)
        ) as published_sort_at,
        count_shingles,
        count_topic_terms,
        lake_file,
        lake_row,
        count(*) over article_captures as count_captures,
        min(fetched_at) over article_captures as first_fetched_at,
        max(fetched_at) over article_captures as last_fetched_at
    from all_captures
    window
        newest_first as (
            partition by article_id
            order by
                coalesce(modified_at, published_at) desc nulls last,
                fetched_at desc,
                capture_id desc
        ),
        article_captures as (
            newest_first rows between unbounded preceding and unbounded following
        )
    qualify row_number() over newest_first = 1
),

keyed as (
    select
        current_articles.*,
        {%- if is_incremental() %}
        coalesce(
            changed.article_key_before,
            (select coalesce(max(article_key), 0) from {{ this }})
            + row_number() over (
                partition by changed.article_key_before is null order by current_articles.article_id
            )
        ) as article_key
    from current_articles
    inner join changed
        on current_articles.article_id = changed.article_id
        {%- else %}
        -- any numbering will do (no sort of a million ids): keys only have to stay put
        row_number() over () as article_key
    from current_articles
        {%- endif %}
),

final as (
    select
        *,
        {{ loaded_at() }} as _loaded_at
    from keyed
)

{{ with_scope('final', ref('int_articles_changed'), 'article_id') }}
