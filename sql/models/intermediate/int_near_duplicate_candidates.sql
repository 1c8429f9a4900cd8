-- grain: one row per pair of signatures (signature_key_a < signature_key_b) sharing an LSH
-- band: the near-duplicate candidates int_near_duplicate_pairs verifies. Rebuilt by every
-- build: in a full build every candidate, in an incremental one those with a body that
-- int_bodies_changed lists (their bands against every stored band).
-- depends_on: {{ ref('int_article_signatures') }}
-- depends_on: {{ ref('int_bodies_changed') }}

-- read where used, never materialized: an incremental build reads it twice (its changed rows,
-- then every row), and a copy of tens of millions of bands cost more than the second read
-- band_hash covers band_index too (int_signature_bands hashes them together), so the band is
-- matched on it alone: a one-column probe of every stored band, without reading band_index
with bands as not materialized (
    select
        signature_key,
        band_hash
    from {{ ref('int_signature_bands') }}
),

{% if is_incremental_build() -%}
changed_signatures as (
    select signatures.signature_key
    from {{ ref('int_article_signatures') }} as signatures
    semi join {{ ref('int_bodies_changed') }} as changed_bodies
        on signatures.content_sha256 = changed_bodies.content_sha256
),

changed_bands as (
    select bands.*
    from bands
    semi join changed_signatures
        on bands.signature_key = changed_signatures.signature_key
),

matches as (
    select
        changed_bands.signature_key as signature_key_changed,
        bands.signature_key as signature_key_other
    from changed_bands
    inner join bands
        on changed_bands.band_hash = bands.band_hash
        and changed_bands.signature_key != bands.signature_key
),

final as (
    select distinct
        least(signature_key_changed, signature_key_other) as signature_key_a,
        greatest(signature_key_changed, signature_key_other) as signature_key_b
    from matches
)
{%- else -%}
-- only bands that some other body shares can make a pair, and most are no one else's: sorted
-- by band, a shared band has an equal neighbour (cheaper than joining every band to every band)
shared_bands as materialized (
    select
        signature_key,
        band_hash
    from bands
    window band_order as (order by band_hash)
    qualify
        lag(band_hash) over band_order = band_hash
        or lead(band_hash) over band_order = band_hash
),

final as (
    select distinct
        left_bands.signature_key as signature_key_a,
        right_bands.signature_key as signature_key_b
    from shared_bands as left_bands
    inner join shared_bands as right_bands
        on left_bands.band_hash = right_bands.band_hash
        and left_bands.signature_key < right_bands.signature_key
)
{%- endif %}

select * from final
