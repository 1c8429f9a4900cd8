-- grain: one row per pair of current articles (article_id_a < article_id_b) published within
-- the story window that tell one event in different words: their salient terms (names,
-- numbers) overlap, or they share several uncommon entities and some terms
{%- set window_days = var('story_window_days') %}
{%- set band_rows = var('topic_band_rows') %}
with current_articles as (
    select
        article_id,
        content_sha256,
        published_sort_at,
        count_topic_terms,
        source_name,
        sitename,
        wire_agency,
        lake_file,
        lake_row
    from {{ ref('int_articles_deduplicated') }}
),

-- topic signatures stay in the lake until needed: which rows have one, then the values
topic_signed_rows as (
    select
        lake_file,
        lake_row
    from {{ ref('stg_lake__article_payloads') }}
    where topic_minhash is not null
),

dated_articles as materialized (
    select
        article_id,
        -- a compact key for the LSH joins, mapped back to article_id for the candidates
        row_number() over () as article_key,
        published_sort_at,
        count_topic_terms,
        -- whole days since the epoch: the LSH join is bucketed by day
        date_diff('day', date '1970-01-01', cast(published_sort_at as date)) as published_day,
        lake_file,
        lake_row
    from current_articles
    semi join topic_signed_rows
        on current_articles.lake_file = topic_signed_rows.lake_file
        and current_articles.lake_row = topic_signed_rows.lake_row
    where published_sort_at is not null
    -- one article per body: identical copies are linked as duplicates already
    qualify row_number() over (partition by content_sha256 order by article_id) = 1
),

-- publishers and wire agencies are named in many stories' text, and tell none of them apart
outlet_names as (
    select distinct lower(regexp_replace(outlet_name, '^(?i:the) ', '')) as outlet_name
    from current_articles
    cross join unnest([source_name, sitename, wire_agency]) as outlets (outlet_name)
    where outlet_name is not null
),

entity_names as (
    select
        entity_id,
        lower(regexp_replace(entity_name, '^(?i:the) ', '')) as entity_name
    from {{ ref('stg_lake__entities') }}
),

article_entities as (
    select
        article_entities.article_id,
        article_entities.entity_id
    from {{ ref('fct_article_entities') }} as article_entities
    inner join dated_articles
        on article_entities.article_id = dated_articles.article_id
    inner join entity_names
        on article_entities.entity_id = entity_names.entity_id
    anti join outlet_names
        on entity_names.entity_name = outlet_names.outlet_name
),

banded_articles as (
    select *
    from dated_articles
    where count_topic_terms >= {{ var('story_min_topic_terms') }}
),

-- their topic signatures streamed from the lake: the Parquet scan (every row, never fewer than
-- the articles) stays the probe side, the narrow articles are the hash table
signed_articles as (
    select
        banded_articles.article_key,
        banded_articles.published_day,
        payloads.topic_minhash
    from {{ ref('stg_lake__article_payloads') }} as payloads
    inner join banded_articles
        on payloads.lake_file = banded_articles.lake_file
        and payloads.lake_row = banded_articles.lake_row
),

band_indexes as (
    select
        article_key,
        published_day,
        topic_minhash,
        unnest(range(0, len(topic_minhash) // {{ band_rows }})) as band_index
    from signed_articles
),

-- narrow types: 32 rows per article are sorted below
bands as (
    select
        article_key::uinteger as article_key,
        published_day::integer as published_day,
        band_index::usmallint as band_index,
        -- the band's index and values hashed together (no list built per band)
        hash(
            band_index,
            {%- for row in range(band_rows) %}
            topic_minhash[band_index * {{ band_rows }} + {{ row + 1 }}]{{ "," if not loop.last }}
            {%- endfor %}
        ) as band_hash
    from band_indexes
),

-- only bands that some other article shares can link anything, and most are no one else's:
-- sorted by band, a shared band has an equal neighbour (band_hash covers band_index too)
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
        blocked_bands.band_index,
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
        on blocked_bands.band_index = window_bands.band_index
        and blocked_bands.band_hash = window_bands.band_hash
        and blocked_bands.day_block = window_bands.day_block
        and blocked_bands.article_key != window_bands.article_key
    where abs(blocked_bands.published_day - window_bands.published_day) <= {{ window_days }}
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

entity_counts as (
    select
        entity_id,
        count(*) as count_articles
    from article_entities
    group by entity_id
),

-- entities in many articles (countries, capitals, heads of state) say little about the event
uncommon_entities as (
    select article_entities.*
    from article_entities
    inner join entity_counts
        on article_entities.entity_id = entity_counts.entity_id
    where entity_counts.count_articles between 2 and {{ var('story_max_entity_articles') }}
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

candidates as materialized (
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

candidate_articles as materialized (
    select dated_articles.*
    from dated_articles
    where article_id in (
        select article_id_a from candidates
        union
        select article_id_b from candidates
    )
),

-- the candidates' topic signatures only, read from the lake by row locator
candidate_minhashes as (
    select
        payloads.lake_file,
        payloads.lake_row,
        payloads.topic_minhash
    from {{ ref('stg_lake__article_payloads') }} as payloads
    semi join candidate_articles
        on payloads.lake_file = candidate_articles.lake_file
        and payloads.lake_row = candidate_articles.lake_row
),

candidate_signatures as materialized (
    select
        candidate_articles.article_id,
        candidate_articles.published_sort_at,
        candidate_articles.count_topic_terms,
        candidate_minhashes.topic_minhash
    from candidate_articles
    inner join candidate_minhashes
        on candidate_articles.lake_file = candidate_minhashes.lake_file
        and candidate_articles.lake_row = candidate_minhashes.lake_row
),

scored as (
    select
        candidates.article_id_a,
        candidates.article_id_b,
        abs(date_diff('second', articles_a.published_sort_at, articles_b.published_sort_at)) / 86400.0
            as days_apart,
        list_sum(
            list_transform(
                range(1, len(articles_a.topic_minhash) + 1),
                lambda position: (
                    articles_a.topic_minhash[position] = articles_b.topic_minhash[position]
                )::int
            )
        ) / len(articles_a.topic_minhash) as topic_jaccard,
        least(articles_a.count_topic_terms, articles_b.count_topic_terms) as min_topic_terms,
        coalesce(entity_candidates.count_shared_entities, 0) as count_shared_entities
    from candidates
    inner join candidate_signatures as articles_a
        on candidates.article_id_a = articles_a.article_id
    inner join candidate_signatures as articles_b
        on candidates.article_id_b = articles_b.article_id
    left join entity_candidates
        on candidates.article_id_a = entity_candidates.article_id_a
        and candidates.article_id_b = entity_candidates.article_id_b
),

final as (
    select
        article_id_a,
        article_id_b,
        days_apart,
        topic_jaccard,
        count_shared_entities
    from scored
    where
        days_apart <= {{ var('story_window_days') }}
        and (
            (
                topic_jaccard >= {{ var('story_topic_jaccard') }}
                and min_topic_terms >= {{ var('story_min_topic_terms') }}
            )
            or (
                count_shared_entities >= {{ var('story_min_shared_entities') }}
                and topic_jaccard >= {{ var('story_topic_jaccard_with_entities') }}
            )
        )
)

select * from final
