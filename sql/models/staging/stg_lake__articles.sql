-- grain: one row per capture_id, from the current extractor version. The current row of each
-- capture is chosen on narrow keys, then read; the wide columns (body_text, minhash,
-- topic_minhash) are left out: stg_lake__article_payloads has them by row locator
-- (lake_file, lake_row), which this model carries.
-- A table, not a view: every intermediate model, mart and staging test reads it, and each read
-- of a view would scan the lake's files and pick the current rows again. Incremental: a build
-- chooses again only for the captures int_captures_changed lists, among their rows in the
-- added files, their current row (unless its file is gone) and, for those whose current row's
-- file is gone, all their rows in the lake.
{{
    config(
        materialized='incremental',
        unique_key='capture_id',
        incremental_strategy='scope_replace',
    )
}}
{%- set current_version_only %}
    where extractor_version = '{{ var("extractor_version") }}'
        or '{{ var("extractor_version") }}' = ''
{%- endset %}

-- depends_on: {{ ref('int_lake_files') }}

with
{% if is_incremental() -%}
{%- set added = changed_lake_files('articles', 'added') %}
{%- set removed = changed_lake_files('articles', 'removed') %}
changed as (
    select capture_id from {{ ref('int_captures_changed') }}
),

kept as (
    select previous_rows.* exclude (_loaded_at)
    from {{ rows_where(this, "capture_id in (select capture_id from changed)") }}
        as previous_rows
    where previous_rows.lake_file not in ({{ sql_strings(removed) }})
),

source as (
    select * from {{ lake_table_files('articles', added, row_locators=true) }}
    {{ current_version_only }}
    {%- if removed %}
    union all by name
    -- captures whose current row's file is gone: all their rows, wherever they now are
    select lake_rows.*
    from {{ lake_table('articles', row_locators=true) }} as lake_rows
    semi join changed
        on lake_rows.capture_id = changed.capture_id
    anti join kept
        on lake_rows.capture_id = kept.capture_id
    where lake_rows.filename not in ({{ sql_strings(added) }})
        and (
            lake_rows.extractor_version = '{{ var("extractor_version") }}'
            or '{{ var("extractor_version") }}' = ''
        )
    {%- endif %}
),

row_keys as (
    select
        capture_id,
        extracted_at,
        _run_id,
        filename,
        file_row_number
    from source
    union all
    select
        capture_id,
        extracted_at,
        _run_id,
        lake_file as filename,
        lake_row as file_row_number
    from kept
),
{%- else %}
source as (
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
    {{ current_version_only }}
),
{%- endif %}

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
),

final as (
    select
        *,
        {{ loaded_at() }} as _loaded_at
    from renamed
    {%- if is_incremental() %}
    union all by name
    -- a kept current row stays: scope_replace leaves a row equal to the old one alone
    select * from kept
    semi join current_rows
        on kept.lake_file = current_rows.filename
        and kept.lake_row = current_rows.file_row_number
    {%- endif %}
)

{{ with_scope('final', ref('int_captures_changed'), 'capture_id') }}
