-- grain: one row per article (article_id) whose story this build recomputes: the articles
-- int_story_articles_changed and int_duplicates_changed list, the articles now paired with
-- them, and every member of the stories the last build put any of those in. Stories are
-- connected components, so these articles' new stories hold no one else. Empty in a full
-- build.
-- depends_on: {{ ref('int_story_articles_changed') }}
-- depends_on: {{ ref('int_story_pairs') }}
-- depends_on: {{ ref('int_duplicates_changed') }}

with
{% if is_incremental_build() -%}
changed_articles as (
    select article_id from {{ ref('int_story_articles_changed') }}
),

pairs as (
    select
        article_id_a,
        article_id_b
    from {{ ref('int_story_pairs') }}
),

touched as (
    select article_id from changed_articles
    union
    select article_id from {{ ref('int_duplicates_changed') }}
    union
    select pairs.article_id_b
    from pairs
    semi join changed_articles
        on pairs.article_id_a = changed_articles.article_id
    union
    select pairs.article_id_a
    from pairs
    semi join changed_articles
        on pairs.article_id_b = changed_articles.article_id
),

previous_stories as (
    select
        article_id,
        story_id
    from {{ previous('int_story_clusters') }}
),

final as (
    select article_id from touched
    union
    select previous_stories.article_id
    from previous_stories
    where previous_stories.story_id in (
        select previous_stories.story_id
        from previous_stories
        semi join touched
            on previous_stories.article_id = touched.article_id
    )
)
{%- else -%}
final as (
    select cast(null as varchar) as article_id
    where false
)
{%- endif %}

select * from final
