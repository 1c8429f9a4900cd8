-- grain: one row per pair of current articles (article_id_a < article_id_b) published within
-- the story window that tell one event in different words: their salient terms (names,
-- numbers) overlap, or they share several uncommon entities and some terms.
-- Incremental: a build recomputes the pairs of the articles int_story_articles_changed lists.
{{
    config(
        materialized='incremental',
        unique_key=['article_id_a', 'article_id_b'],
        scope_columns=['article_id_a', 'article_id_b'],
        incremental_strategy='scope_replace',
    )
}}

with candidates as (
    select * from {{ ref('int_story_candidates') }}
),

candidate_articles as materialized (
    select dated_articles.*
    from {{ ref('int_dated_articles') }} as dated_articles
    where article_id in (
        select article_id_a from candidates
        union
        select article_id_b from candidates
    )
),

{%- set files = lake_files_in(
    "select dated.lake_file from " ~ ref('int_dated_articles') ~ " as dated where dated.article_id in ("
    ~ "select article_id_a from " ~ ref('int_story_candidates')
    ~ " union select article_id_b from " ~ ref('int_story_candidates') ~ ")"
) if is_incremental() else none %}
payloads as (
    {{- article_payloads('topic_minhash', files) }}
),

-- the candidates' topic signatures only, read from the lake by row locator
candidate_minhashes as (
    select
        payloads.lake_file,
        payloads.lake_row,
        payloads.topic_minhash
    from payloads
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
        abs(
            date_diff('second', articles_a.published_sort_at, articles_b.published_sort_at)
        ) / 86400.0 as days_apart,
        list_sum(
            list_transform(
                range(1, len(articles_a.topic_minhash) + 1),
                lambda position: (
                    articles_a.topic_minhash[position] = articles_b.topic_minhash[position]
                )::int
            )
        ) / len(articles_a.topic_minhash) as topic_jaccard,
        least(articles_a.count_topic_terms, articles_b.count_topic_terms) as min_topic_terms,
        candidates.count_shared_entities
    from candidates
    inner join candidate_signatures as articles_a
        on candidates.article_id_a = articles_a.article_id
    inner join candidate_signatures as articles_b
        on candidates.article_id_b = articles_b.article_id
),

final as (
    select
        article_id_a,
        article_id_b,
        days_apart,
        topic_jaccard,
        count_shared_entities,
        {{ loaded_at() }} as _loaded_at
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

{{ with_scope('final', ref('int_story_articles_changed'), 'article_id') }}
