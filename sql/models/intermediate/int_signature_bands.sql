-- grain: one row per (signature_key, band_index): the LSH bands of each body's MinHash;
-- bodies sharing any band are near-duplicate candidates. A view: int_near_duplicate_pairs
-- reads it once, and 42 rows per body are cheaper to compute than to store.
{{ config(materialized='view') }}
{%- set band_rows = var('minhash_band_rows') %}
with signatures as (
    select
        signature_key,
        representative_lake_file,
        representative_lake_row
    from {{ ref('int_article_signatures') }}
),

payloads as (
    select
        lake_file,
        lake_row,
        minhash
    from {{ ref('stg_lake__article_payloads') }}
),

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
        signature_key,
        band_index,
        -- the band's index and values hashed together (no list built per band)
        hash(
            band_index,
            {%- for row in range(band_rows) %}
            minhash[band_index * {{ band_rows }} + {{ row + 1 }}]{{ "," if not loop.last }}
            {%- endfor %}
        ) as band_hash
    from band_indexes
)

select * from final
