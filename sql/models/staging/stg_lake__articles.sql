-- grain: one row per capture_id, from the current extractor version. The current row of each
-- capture is chosen on narrow keys, then read; the wide columns (body_text, minhash,
-- topic_minhash) are left out: stg_lake__article_payloads has them by row locator
-- (lake_file, lake_row), which this model carries.
-- A table, not a view: every intermediate model, mart and staging test reads it, and each read
-- of a view would scan the lake's files and pick the current rows again.
{{ config(materialized='table') }}

with source as (
    select * from {{ lake_table('articles', row_locators=true) }}
),

row_keys as (
    select
        capture_id,
        extracted_at,
        _run_id,
        filename,
        file_row_number
    from {{ lake_table('articles', row_locators=true) }}
    where extractor_version = '{{ var("extractor_version") }}'
        or '{{ var("extractor_version") }}' = ''
),

current_rows as (
    select
        filename,
        file_row_number
    from row_keys
    qualify row_number() over (
        partition by capture_id
        order by extracted_at desc, _run_id desc, filename desc, file_row_number desc
    ) = 1
),

current_version as (
    select source.*
    from source
    semi join current_rows
        on source.filename = current_rows.filename
        and source.file_row_number = current_rows.file_row_number
),

renamed as (
    select
        article_id,
        capture_id,
        locator,
        source_kind,
        url,
        canonical_url,
        canonical_url_source,
        source_id,
        source_domain,
        source_name,
        source_id_source,
        title,
        title_source,
        authors,
        authors_source,
        published_at,
        published_at_source,
        dateline,
        dateline_source,
        description,
        description_source,
        sitename,
        sitename_source,
        categories,
        tags,
        language,
        language_source,
        count_words,
        content_sha256,
        modified_at,
        wire_agency,
        title_raw,
        author_organizations,
        source_platform,
        published_at_local,
        published_utc_offset_minutes,
        published_date,
        published_at_confidence,
        modified_date,
        modified_at_source,
        modified_at_confidence,
        -- rows from before page types were classified were all taken as articles
        coalesce(page_type, 'article') as page_type,
        article_probability,
        count_shingles,
        count_topic_terms,
        extraction_method,
        extractor_version,
        fetched_at,
        extracted_at,
        _run_id,
        filename as lake_file,
        file_row_number as lake_row
    from current_version
)

select * from renamed
