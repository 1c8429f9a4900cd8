-- grain: one row per pair of distinct bodies (content_sha256_a < content_sha256_b) that are
-- near-duplicates: LSH candidates verified by estimated Jaccard or containment
with bands as (
    -- narrow types: 42 rows per body are sorted below
    select
        signature_key::uinteger as signature_key,
        band_index::usmallint as band_index,
        band_hash
    from {{ ref('int_signature_bands') }}
),

signatures as (
    select
        signature_key,
        content_sha256,
        representative_article_id,
        representative_lake_file,
        representative_lake_row,
        count_shingles
    from {{ ref('int_article_signatures') }}
),

-- only bands that some other body shares can make a pair, and most are no one else's: sorted
-- by band, a shared band has an equal neighbour (cheaper than joining every band to every band)
shared_bands as materialized (
    select
        signature_key,
        band_index,
        band_hash
    from bands
    -- band_hash covers band_index too, so one sort key will do
    window band_order as (order by band_hash)
    qualify
        lag(band_hash) over band_order = band_hash
        or lead(band_hash) over band_order = band_hash
),

candidates as materialized (
    select distinct
        left_bands.signature_key as signature_key_a,
        right_bands.signature_key as signature_key_b
    from shared_bands as left_bands
    inner join shared_bands as right_bands
        on left_bands.band_index = right_bands.band_index
        and left_bands.band_hash = right_bands.band_hash
        and left_bands.signature_key < right_bands.signature_key
),

candidate_keys as materialized (
    select signatures.*
    from signatures
    where signature_key in (
        select signature_key_a from candidates
        union
        select signature_key_b from candidates
    )
),

-- the candidates' signatures only, read from the lake by row locator
candidate_minhashes as (
    select
        payloads.lake_file,
        payloads.lake_row,
        payloads.minhash
    from {{ ref('stg_lake__article_payloads') }} as payloads
    semi join candidate_keys
        on payloads.lake_file = candidate_keys.representative_lake_file
        and payloads.lake_row = candidate_keys.representative_lake_row
),

candidate_signatures as materialized (
    select
        candidate_keys.*,
        candidate_minhashes.minhash
    from candidate_keys
    inner join candidate_minhashes
        on candidate_keys.representative_lake_file = candidate_minhashes.lake_file
        and candidate_keys.representative_lake_row = candidate_minhashes.lake_row
),

scored as (
    select
        signatures_a.content_sha256 as content_sha256_a,
        signatures_b.content_sha256 as content_sha256_b,
        signatures_a.representative_article_id as article_id_a,
        signatures_b.representative_article_id as article_id_b,
        signatures_a.count_shingles as count_shingles_a,
        signatures_b.count_shingles as count_shingles_b,
        list_sum(
            list_transform(
                range(1, len(signatures_a.minhash) + 1),
                lambda position: (signatures_a.minhash[position] = signatures_b.minhash[position])::int
            )
        ) / len(signatures_a.minhash) as jaccard
    from candidates
    inner join candidate_signatures as signatures_a
        on candidates.signature_key_a = signatures_a.signature_key
    inner join candidate_signatures as signatures_b
        on candidates.signature_key_b = signatures_b.signature_key
),

with_overlap as (
    select
        *,
        -- |A ∩ B| = J (|A| + |B|) / (1 + J)
        jaccard * (count_shingles_a + count_shingles_b) / (1 + jaccard) as count_shared_shingles
    from scored
),

with_containment as (
    select
        *,
        -- the share of the shorter text found in the longer one
        least(
            1.0,
            count_shared_shingles / nullif(least(count_shingles_a, count_shingles_b), 0)
        ) as containment
    from with_overlap
),

final as (
    select
        content_sha256_a,
        content_sha256_b,
        article_id_a,
        article_id_b,
        jaccard,
        containment,
        count_shared_shingles
    from with_containment
    where
        jaccard >= {{ var('near_duplicate_jaccard') }}
        or (
            containment >= {{ var('near_duplicate_containment') }}
            and count_shared_shingles >= {{ var('near_duplicate_min_shared') }}
        )
)

select * from final
