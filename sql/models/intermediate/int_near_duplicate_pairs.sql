-- grain: one row per pair of distinct bodies (content_sha256_a < content_sha256_b) that are
-- near-duplicates: LSH candidates verified by estimated Jaccard or containment
with bands as (
    select * from {{ ref('int_signature_bands') }}
),

signatures as (
    select * from {{ ref('int_article_signatures') }}
),

candidates as (
    select distinct
        left_bands.signature_key as signature_key_a,
        right_bands.signature_key as signature_key_b
    from bands as left_bands
    inner join bands as right_bands
        on left_bands.band_index = right_bands.band_index
        and left_bands.band_hash = right_bands.band_hash
        and left_bands.signature_key < right_bands.signature_key
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
    inner join signatures as signatures_a
        on candidates.signature_key_a = signatures_a.signature_key
    inner join signatures as signatures_b
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
