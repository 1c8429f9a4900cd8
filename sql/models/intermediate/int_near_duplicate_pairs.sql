-- grain: one row per pair of distinct bodies (content_sha256_a < content_sha256_b) that are
-- near-duplicates: LSH candidates verified by estimated Jaccard or containment.
-- Incremental: a build recomputes the pairs of the bodies int_bodies_changed lists.
{{
    config(
        materialized='incremental',
        unique_key=['content_sha256_a', 'content_sha256_b'],
        scope_columns=['content_sha256_a', 'content_sha256_b'],
        incremental_strategy='scope_replace',
    )
}}

with candidates as (
    select
        signature_key_a,
        signature_key_b
    from {{ ref('int_near_duplicate_candidates') }}
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

candidate_keys as materialized (
    select signatures.*
    from signatures
    where signature_key in (
        select signature_key_a from candidates
        union
        select signature_key_b from candidates
    )
),

{%- set files = lake_files_in(
    "select signatures.representative_lake_file as lake_file from "
    ~ ref('int_article_signatures') ~ " as signatures where signatures.signature_key in ("
    ~ "select signature_key_a from " ~ ref('int_near_duplicate_candidates')
    ~ " union select signature_key_b from " ~ ref('int_near_duplicate_candidates') ~ ")"
) if is_incremental() else none %}
payloads as (
    {{- article_payloads('minhash', files) }}
),

-- the candidates' signatures only, read from the lake by row locator
candidate_minhashes as (
    select
        payloads.lake_file,
        payloads.lake_row,
        payloads.minhash
    from payloads
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
        signatures_a.content_sha256 < signatures_b.content_sha256 as is_in_body_order,
        signatures_a.content_sha256 as content_sha256_left,
        signatures_b.content_sha256 as content_sha256_right,
        signatures_a.representative_article_id as article_id_left,
        signatures_b.representative_article_id as article_id_right,
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

-- each pair in body order: signature keys follow no order across incremental builds
ordered as (
    select
        case when is_in_body_order then content_sha256_left else content_sha256_right end
            as content_sha256_a,
        case when is_in_body_order then content_sha256_right else content_sha256_left end
            as content_sha256_b,
        case when is_in_body_order then article_id_left else article_id_right end as article_id_a,
        case when is_in_body_order then article_id_right else article_id_left end as article_id_b,
        count_shingles_a,
        count_shingles_b,
        jaccard
    from scored
),

with_overlap as (
    select
        *,
        -- |A ∩ B| = J (|A| + |B|) / (1 + J)
        jaccard * (count_shingles_a + count_shingles_b) / (1 + jaccard) as count_shared_shingles
    from ordered
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
        count_shared_shingles,
        {{ loaded_at() }} as _loaded_at
    from with_containment
    where
        jaccard >= {{ var('near_duplicate_jaccard') }}
        or (
            containment >= {{ var('near_duplicate_containment') }}
            and count_shared_shingles >= {{ var('near_duplicate_min_shared') }}
        )
)

{{ with_scope('final', ref('int_bodies_changed'), 'content_sha256') }}
