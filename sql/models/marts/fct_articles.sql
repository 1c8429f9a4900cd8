-- grain: one row per distinct article (article_id).
-- Incremental: a build recomputes the articles int_stories_changed lists (every article whose
-- capture, duplicate cluster or story may have changed).
{{
    config(
        materialized='incremental',
        unique_key='article_id',
        incremental_strategy='scope_replace',
    )
}}

with current_articles as (
    {%- if is_incremental() %}
    select *
    from {{ rows_where(
        ref('int_articles_deduplicated'),
        "article_id in (select article_id from " ~ ref('int_stories_changed') ~ ")"
    ) }}
    {%- else %}
    select * from {{ ref('int_articles_deduplicated') }}
    {%- endif %}
),

-- the current capture's descriptive columns (int_articles_deduplicated holds only keys)
captures as (
    {%- if is_incremental() %}
    select *
    from {{ rows_where(
        ref('stg_lake__articles'), "capture_id in (select capture_id from current_articles)"
    ) }}
    {%- else %}
    select * from {{ ref('stg_lake__articles') }}
    {%- endif %}
),

articles as (
    select
        captures.*,
        current_articles.count_captures,
        current_articles.first_fetched_at,
        current_articles.last_fetched_at
    from current_articles
    inner join captures
        on current_articles.capture_id = captures.capture_id
),

duplicates as (
    select * from {{ ref('int_duplicate_clusters') }}
),

stories as (
    select * from {{ ref('int_story_clusters') }}
),

final as (
    select
        articles.article_id,
        articles.source_id,
        stories.story_id,
        articles.capture_id,
        articles.locator,
        articles.source_kind,
        articles.url,
        articles.canonical_url,
        articles.canonical_url_source,
        articles.title,
        articles.title_source,
        articles.title_raw,
        articles.authors,
        articles.authors_source,
        articles.author_organizations,
        articles.published_at,
        articles.published_at_local,
        articles.published_utc_offset_minutes,
        articles.published_date,
        articles.published_at_source,
        articles.published_at_confidence,
        articles.dateline,
        articles.dateline_source,
        articles.description,
        articles.description_source,
        articles.sitename_source,
        articles.language,
        articles.language_source,
        articles.count_words,
        articles.content_sha256,
        coalesce(duplicates.duplicate_role in ('copy', 'update'), false) as is_duplicate,
        case
            when duplicates.duplicate_role != 'original' then duplicates.duplicate_cluster_id
        end as duplicate_of_article_id,
        duplicates.duplicate_cluster_id,
        duplicates.duplicate_role,
        articles.wire_agency,
        articles.modified_at,
        articles.modified_date,
        articles.modified_at_source,
        articles.modified_at_confidence,
        articles.source_id_source,
        articles.source_platform,
        articles.extraction_method,
        articles.extractor_version,
        articles.count_captures,
        articles.first_fetched_at,
        articles.last_fetched_at,
        articles._run_id,
        {{ loaded_at() }} as _loaded_at
    from articles
    left join duplicates
        on articles.article_id = duplicates.article_id
    inner join stories
        on articles.article_id = stories.article_id
)

{{ with_scope('final', ref('int_stories_changed'), 'article_id') }}
