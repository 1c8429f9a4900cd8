-- grain: one row per page (page_id): every extracted page, articles and non-articles, as of its
-- latest capture; fct_articles holds the ones classified as articles.
-- Incremental: a build recomputes the pages int_articles_changed lists.
{{
    config(
        materialized='incremental',
        unique_key='page_id',
        incremental_strategy='scope_replace',
    )
}}

-- depends_on: {{ ref('int_articles_changed') }}

with captures as (
    {%- if is_incremental() %}
    select *
    from {{ rows_where(
        ref('stg_lake__articles'),
        "article_id in (select article_id from " ~ ref('int_articles_changed') ~ ")"
    ) }}
    {%- else %}
    select * from {{ ref('stg_lake__articles') }}
    {%- endif %}
),

latest as (
    select *
    from captures
    qualify row_number() over (
        partition by article_id
        order by fetched_at desc, capture_id desc
    ) = 1
),

final as (
    select
        article_id as page_id,
        page_type,
        article_probability,
        page_type = 'article' as is_article,
        source_id,
        url,
        canonical_url,
        locator,
        title,
        published_date,
        count_words,
        capture_id,
        fetched_at,
        extractor_version,
        {{ loaded_at() }} as _loaded_at
    from latest
)

{{ with_scope('final', ref('int_articles_changed'), 'article_id') }}
