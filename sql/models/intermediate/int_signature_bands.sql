-- grain: one row per (signature_key, band_index): the LSH bands of each body's MinHash;
-- bodies sharing any band are near-duplicate candidates
with signatures as (
    select
        signature_key,
        minhash
    from {{ ref('int_article_signatures') }}
),

band_indexes as (
    select
        signature_key,
        minhash,
        unnest(range(0, len(minhash) // {{ var('minhash_band_rows') }})) as band_index
    from signatures
),

final as (
    select
        signature_key,
        band_index,
        hash(
            list_slice(
                minhash,
                band_index * {{ var('minhash_band_rows') }} + 1,
                (band_index + 1) * {{ var('minhash_band_rows') }}
            )
        ) as band_hash
    from band_indexes
)

select * from final
