-- grain: one row per distinct normalised body (content_sha256) of the current articles that
-- has a MinHash signature; identical bodies share one signature, so exact copies never
-- multiply the LSH work. The signature itself stays in the lake: consumers read it by the
-- representative's row locator (representative_lake_file, representative_lake_row).
-- signature_key: a compact integer for the LSH tables, kept for the body's lifetime.
-- Incremental: a build recomputes the bodies int_bodies_changed lists.
{{
    config(
        materialized='incremental',
        unique_key='content_sha256',
        incremental_strategy='scope_replace',
    )
}}

with current_articles as (
    select
        article_id,
        content_sha256,
        count_shingles,
        lake_file,
        lake_row
    from {{ ref('int_articles_deduplicated') }}
    {%- if is_incremental() %}
    where content_sha256 in (select content_sha256 from {{ ref('int_bodies_changed') }})
    {%- endif %}
),

signatures as (
    select
        current_articles.content_sha256,
        min(current_articles.article_id) as representative_article_id,
        arg_min(current_articles.lake_file, current_articles.article_id)
            as representative_lake_file,
        arg_min(current_articles.lake_row, current_articles.article_id)
            as representative_lake_row,
        arg_min(current_articles.count_shingles, current_articles.article_id) as count_shingles,
        count(*) as count_articles
    from current_articles
    -- extraction writes the signature and its set size together: a row has a MinHash exactly
    -- when it has count_shingles (no need to read the signatures from the lake to know)
    where current_articles.count_shingles is not null
    group by current_articles.content_sha256
),

keyed as (
    select
        {%- if is_incremental() %}
        coalesce(
            changed.signature_key_before,
            (select coalesce(max(signature_key), 0) from {{ this }})
            + row_number() over (
                partition by changed.signature_key_before is null
                order by signatures.content_sha256
            )
        ) as signature_key,
        signatures.*
    from signatures
    inner join {{ ref('int_bodies_changed') }} as changed
        on signatures.content_sha256 = changed.content_sha256
        {%- else %}
        -- any numbering will do (no sort of a million hashes): keys only have to stay put
        row_number() over () as signature_key,
        *
    from signatures
        {%- endif %}
),

final as (
    select
        signature_key,
        content_sha256,
        representative_article_id,
        representative_lake_file,
        representative_lake_row,
        count_shingles,
        count_articles,
        {{ loaded_at() }} as _loaded_at
    from keyed
)

{{ with_scope('final', ref('int_bodies_changed'), 'content_sha256') }}
