-- grain: one row per pair of current articles (article_id_a < article_id_b) published within
-- the story window that tell one event in different words: their salient terms (names,
-- numbers) overlap, or they share several uncommon entities and some terms
with current_articles as (
    select * from {{ ref('int_articles_deduplicated') }}
),

dated_articles as (
    select
        article_id,
        published_at,
        topic_minhash,
        count_topic_terms,
        -- whole days since the epoch: the LSH join is bucketed by day
        date_diff('day', date '1970-01-01', cast(published_at as date)) as published_day
    from current_articles
    where published_at is not null and topic_minhash is not null
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

band_indexes as (
    select
        article_id,
        published_day,
        topic_minhash,
        unnest(range(0, len(topic_minhash) // {{ var('topic_band_rows') }})) as band_index
    from dated_articles
    where count_topic_terms >= {{ var('story_min_topic_terms') }}
),

bands as (
    select
        article_id,
        published_day,
        band_index,
        hash(
            list_slice(
                topic_minhash,
                band_index * {{ var('topic_band_rows') }} + 1,
                (band_index + 1) * {{ var('topic_band_rows') }}
            )
        ) as band_hash
    from band_indexes
),

-- each band is also filed under the days before its article's, up to the window
window_bands as (
    select
        bands.article_id,
        bands.band_index,
        bands.band_hash,
        bands.published_day - day_offsets.day_offset as window_day
    from bands
    cross join range(0, {{ var('story_window_days') }} + 1) as day_offsets (day_offset)
),

topic_candidates as (
    select distinct
        least(bands.article_id, window_bands.article_id) as article_id_a,
        greatest(bands.article_id, window_bands.article_id) as article_id_b
    from bands
    inner join window_bands
        on bands.band_index = window_bands.band_index
        and bands.band_hash = window_bands.band_hash
        and bands.published_day = window_bands.window_day
        and bands.article_id != window_bands.article_id
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

scored as (
    select
        candidates.article_id_a,
        candidates.article_id_b,
        abs(date_diff('second', articles_a.published_at, articles_b.published_at)) / 86400.0
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
    inner join dated_articles as articles_a
        on candidates.article_id_a = articles_a.article_id
    inner join dated_articles as articles_b
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
