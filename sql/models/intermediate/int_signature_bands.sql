-- grain: one row per (signature_key, band_index): the LSH bands of each body's MinHash;
-- bodies sharing any band are near-duplicate candidates. Kept between builds (a new body's
-- bands are matched against every stored one): a build computes the bands of the bodies
-- int_bodies_changed lists and drops those of bodies gone.
{{
    config(
        materialized='incremental',
        unique_key=['signature_key', 'band_index'],
        scope_columns=['signature_key'],
        incremental_strategy='scope_replace',
    )
}}
{%- set band_rows = var('minhash_band_rows') %}

-- depends_on: {{ ref('int_bodies_changed') }}

with signatures as (
    select
        signature_key,
        representative_lake_file,
        representative_lake_row
    from {{ ref('int_article_signatures') }}
    {%- if is_incremental() %}
    where content_sha256 in (select content_sha256 from {{ ref('int_bodies_changed') }})
    {%- endif %}
),

{% if is_incremental() -%}
{%- set files = lake_files_in(
    "select representative_lake_file as lake_file from " ~ ref('int_article_signatures')
    ~ " where content_sha256 in (select content_sha256 from " ~ ref('int_bodies_changed') ~ ")"
) %}
payloads as (
    select
        filename as lake_file,
        file_row_number as lake_row,
        minhash
    from {{ lake_table_files('articles', files, row_locators=true) }}
),

-- the signatures whose bands this build replaces: the bodies' keys before and now
scope as (
    select signature_key_before as signature_key
    from {{ ref('int_bodies_changed') }}
    where signature_key_before is not null
    union
    select signature_key from signatures
),
{%- else -%}
payloads as (
    select
        lake_file,
        lake_row,
        minhash
    from {{ ref('stg_lake__article_payloads') }}
),
{%- endif %}

-- the representatives' signatures streamed from the lake: the Parquet scan (every row, never
-- fewer than the signatures) stays the probe side, the narrow signatures are the hash table
signed as (
    select
        signatures.signature_key,
        payloads.minhash
    from payloads
    inner join signatures
        on payloads.lake_file = signatures.representative_lake_file
        and payloads.lake_row = signatures.representative_lake_row
),

band_indexes as (
    select
        signature_key,
        minhash,
        unnest(range(0, len(minhash) // {{ band_rows }})) as band_index
    from signed
),

final as (
    select
        -- narrow types: 42 rows per body are stored and sorted
        signature_key::uinteger as signature_key,
        band_index::usmallint as band_index,
        -- the band's index and values hashed together (no list built per band)
        hash(
            band_index,
            {%- for row in range(band_rows) %}
            minhash[band_index * {{ band_rows }} + {{ row + 1 }}]{{ "," if not loop.last }}
            {%- endfor %}
        ) as band_hash,
        {{ loaded_at() }} as _loaded_at
    from band_indexes
)

{{ with_scope('final', 'scope', 'signature_key') }}
