-- grain: one row per (article_key, band_index): the LSH bands of the topic signature of each
-- dated article with enough salient terms; articles sharing a band within the story window
-- are story candidates. Kept between builds (a new article's bands are matched against every
-- stored one): a build recomputes the bands of every article, before and now, of the bodies
-- int_bodies_changed lists.
{{
    config(
        materialized='incremental',
        unique_key=['article_key', 'band_index'],
        scope_columns=['article_key'],
        incremental_strategy='scope_replace',
    )
}}
{%- set band_rows = var('topic_band_rows') %}

-- depends_on: {{ ref('int_articles_deduplicated') }}
-- depends_on: {{ ref('int_bodies_changed') }}
-- depends_on: {{ ref('int_articles_changed') }}

with
{% if is_incremental() -%}
-- the articles whose bands this build replaces: every article of a changed body, before and
-- now (int_dated_articles recomputed their rows)
scope as (
    select articles.article_key
    from {{ ref('int_articles_deduplicated') }} as articles
    semi join {{ ref('int_bodies_changed') }} as changed_bodies
        on articles.content_sha256 = changed_bodies.content_sha256
    union
    select article_key_before
    from {{ ref('int_articles_changed') }}
    where article_key_before is not null
),

{%- set scoped_articles -%}
    select dated.* from {{ ref('int_dated_articles') }} as dated
    where dated.count_topic_terms >= {{ var('story_min_topic_terms') }}
        and dated.article_key in (
            select articles.article_key
            from {{ ref('int_articles_deduplicated') }} as articles
            semi join {{ ref('int_bodies_changed') }} as changed_bodies
                on articles.content_sha256 = changed_bodies.content_sha256
        )
{%- endset %}
{%- set files = lake_files_in(scoped_articles) %}
banded_articles as (
    {{ scoped_articles }}
),

payloads as (
    select
        filename as lake_file,
        file_row_number as lake_row,
        topic_minhash
    from {{ lake_table_files('articles', files, row_locators=true) }}
),
{%- else -%}
banded_articles as (
    select *
    from {{ ref('int_dated_articles') }}
    where count_topic_terms >= {{ var('story_min_topic_terms') }}
),

payloads as (
    select
        lake_file,
        lake_row,
        topic_minhash
    from {{ ref('stg_lake__article_payloads') }}
),
{%- endif %}

-- their topic signatures streamed from the lake: the Parquet scan (every row, never fewer than
-- the articles) stays the probe side, the narrow articles are the hash table
signed_articles as (
    select
        banded_articles.article_key,
        banded_articles.published_day,
        payloads.topic_minhash
    from payloads
    inner join banded_articles
        on payloads.lake_file = banded_articles.lake_file
        and payloads.lake_row = banded_articles.lake_row
),

band_indexes as (
    select
        article_key,
        published_day,
        topic_minhash,
        unnest(range(0, len(topic_minhash) // {{ band_rows }})) as band_index
    from signed_articles
),

final as (
    select
        -- narrow types: 32 rows per article are stored and sorted
        article_key::uinteger as article_key,
        published_day::integer as published_day,
        band_index::usmallint as band_index,
        -- the band's index and values hashed together (no list built per band)
        hash(
            band_index,
            {%- for row in range(band_rows) %}
            topic_minhash[band_index * {{ band_rows }} + {{ row + 1 }}]{{ "," if not loop.last }}
            {%- endfor %}
        ) as band_hash,
        {{ loaded_at() }} as _loaded_at
    from band_indexes
)

{{ with_scope('final', 'scope', 'article_key') }}
