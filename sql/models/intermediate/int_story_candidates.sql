-- grain: one row per pair of dated articles (article_id_a < article_id_b) that may tell one
-- event: they share a topic LSH band and were published within the story window, or they
-- share at least var('story_min_shared_entities') uncommon entities; with the number of
-- uncommon entities they share. int_story_pairs verifies them. Rebuilt by every build: in a
-- full build every candidate, in an incremental one those with an article
-- int_story_articles_changed lists (matched against every stored band and entity).
{%- set window_days = var('story_window_days') %}
{%- set scoped = is_incremental_build() %}

-- depends_on: {{ ref('int_story_articles_changed') }}

with dated_articles as (
    select
        article_id,
        article_key,
        published_day
    from {{ ref('int_dated_articles') }}
),

uncommon_entities as (
    select
        article_entities.article_id,
        article_entities.entity_id
    from {{ ref('fct_article_entities') }} as article_entities
    semi join dated_articles
        on article_entities.article_id = dated_articles.article_id
    semi join {{ ref('int_story_entities') }} as story_entities
        on article_entities.entity_id = story_entities.entity_id
        and story_entities.is_uncommon
),

-- read where used, never materialized: an incremental build reads it twice (its changed rows,
-- then every row), and a copy of tens of millions of bands cost more than the second read.
-- band_hash covers band_index too (int_topic_bands hashes them together), so the band is
-- matched on it alone: a one-column probe of every stored band, without reading band_index
bands as not materialized (
    select
        article_key,
        published_day,
        band_hash
    from {{ ref('int_topic_bands') }}
),

{% if scoped -%}
changed_articles as (
    select dated_articles.*
    from dated_articles
    semi join {{ ref('int_story_articles_changed') }} as changed
        on dated_articles.article_id = changed.article_id
),

-- the changed articles' bands carry their article_id: only the other side of a match is
-- looked up by article_key
changed_bands as (
    select
        changed_articles.article_id,
        bands.*
    from bands
    inner join changed_articles
        on bands.article_key = changed_articles.article_key
),

topic_candidate_keys as (
    select
        changed_bands.article_id as article_id_a,
        bands.article_key as article_key_b
    from changed_bands
    inner join bands
        on changed_bands.band_hash = bands.band_hash
        and changed_bands.article_key != bands.article_key
    where abs(changed_bands.published_day - bands.published_day) <= {{ window_days }}
),

-- only the matched articles' ids: joined whole, every dated article became a hash table, twice
matched_articles as (
    select
        article_id,
        article_key
    from dated_articles
    where article_key in (select article_key_b from topic_candidate_keys)
),

topic_candidates as (
    select distinct
        least(topic_candidate_keys.article_id_a, matched_articles.article_id) as article_id_a,
        greatest(topic_candidate_keys.article_id_a, matched_articles.article_id) as article_id_b
    from topic_candidate_keys
    inner join matched_articles
        on topic_candidate_keys.article_key_b = matched_articles.article_key
),

-- each shared uncommon entity of a pair with a changed article, once
shared_entities as (
    select distinct
        least(changed_entities.article_id, other_entities.article_id) as article_id_a,
        greatest(changed_entities.article_id, other_entities.article_id) as article_id_b,
        changed_entities.entity_id
    from uncommon_entities as changed_entities
    inner join uncommon_entities as other_entities
        on changed_entities.entity_id = other_entities.entity_id
        and changed_entities.article_id != other_entities.article_id
    where changed_entities.article_id in (select article_id from changed_articles)
),

entity_candidates as (
    select
        article_id_a,
        article_id_b,
        count(*) as count_shared_entities
    from shared_entities
    group by article_id_a, article_id_b
),
{%- else -%}
-- only bands that some other article shares can link anything, and most are no one else's:
-- sorted by band, a shared band has an equal neighbour
shared_bands as (
    select *
    from bands
    window band_order as (order by band_hash)
    qualify
        lag(band_hash) over band_order = band_hash
        or lead(band_hash) over band_order = band_hash
),

-- articles within the window fall in the same or the next block of window + 1 days: each band
-- is filed under its own block and the one before, joined on its own block, then checked
blocked_bands as materialized (
    select
        *,
        floor(published_day / {{ window_days + 1 }})::bigint as day_block
    from shared_bands
),

window_bands as (
    select
        blocked_bands.article_key,
        blocked_bands.published_day,
        blocked_bands.band_hash,
        blocked_bands.day_block - block_offsets.block_offset as day_block
    from blocked_bands
    cross join range(0, 2) as block_offsets (block_offset)
),

topic_candidate_keys as (
    select distinct
        blocked_bands.article_key as article_key_a,
        window_bands.article_key as article_key_b
    from blocked_bands
    inner join window_bands
        on blocked_bands.band_hash = window_bands.band_hash
        and blocked_bands.day_block = window_bands.day_block
        and blocked_bands.article_key != window_bands.article_key
    where abs(blocked_bands.published_day - window_bands.published_day) <= {{ window_days }}
),

entity_candidates as (
    select
        entities_a.article_id as article_id_a,
        entities_b.article_id as article_id_b,
        count(*) as count_shared_entities
    from uncommon_entities as entities_a
    inner join uncommon_entities as entities_b
        on entities_a.entity_id = entities_b.entity_id
        and entities_a.article_id < entities_b.article_id
    group by entities_a.article_id, entities_b.article_id
),

topic_candidates as (
    select distinct
        least(articles_a.article_id, articles_b.article_id) as article_id_a,
        greatest(articles_a.article_id, articles_b.article_id) as article_id_b
    from topic_candidate_keys
    inner join dated_articles as articles_a
        on topic_candidate_keys.article_key_a = articles_a.article_key
    inner join dated_articles as articles_b
        on topic_candidate_keys.article_key_b = articles_b.article_key
),
{%- endif %}

candidates as (
    select
        article_id_a,
        article_id_b
    from topic_candidates
    union
    select
        article_id_a,
        article_id_b
    from entity_candidates
    where count_shared_entities >= {{ var('story_min_shared_entities') }}
),

final as (
    select
        candidates.article_id_a,
        candidates.article_id_b,
        coalesce(entity_candidates.count_shared_entities, 0) as count_shared_entities
    from candidates
    left join entity_candidates
        on candidates.article_id_a = entity_candidates.article_id_a
        and candidates.article_id_b = entity_candidates.article_id_b
)

select * from final
