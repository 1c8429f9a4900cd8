-- grain: one row per capture_id, from the current extractor version
with source as (
    select * from {{ lake_table('articles') }}
),

current_version as (
    select *
    from source
    where extractor_version = '{{ var("extractor_version") }}'
        or '{{ var("extractor_version") }}' = ''
    qualify row_number() over (partition by capture_id order by extracted_at desc, _run_id desc) = 1
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
        sitename,
        categories,
        tags,
        language,
        language_source,
        body_text,
        count_words,
        content_sha256,
        modified_at,
        wire_agency,
        minhash,
        count_shingles,
        topic_minhash,
        count_topic_terms,
        extraction_method,
        extractor_version,
        fetched_at,
        extracted_at,
        _run_id
    from current_version
)

select * from renamed
