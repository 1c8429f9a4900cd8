-- grain: one row per article (article_id) whose story pairs this build recomputes: the
-- articles int_articles_changed lists, every current article of a body int_bodies_changed
-- lists (which article stands for a body may change), the articles int_mentions_changed
-- lists, and the dated articles naming an entity whose int_story_entities flag this build
-- rewrote. Empty in a full build.
-- depends_on: {{ ref('int_story_entities') }}
-- depends_on: {{ ref('int_articles_changed') }}
-- depends_on: {{ ref('int_articles_deduplicated') }}
-- depends_on: {{ ref('int_bodies_changed') }}
-- depends_on: {{ ref('int_mentions_changed') }}
-- depends_on: {{ ref('fct_article_entities') }}

with
{% if is_incremental_build() -%}
flagged_entities as (
    select entity_id
    from {{ ref('int_story_entities') }}
    where _loaded_at = {{ loaded_at() }}
),

final as (
    select article_id from {{ ref('int_articles_changed') }}
    union
    select articles.article_id
    from {{ ref('int_articles_deduplicated') }} as articles
    semi join {{ ref('int_bodies_changed') }} as changed_bodies
        on articles.content_sha256 = changed_bodies.content_sha256
    union
    select article_id from {{ ref('int_mentions_changed') }}
    union
    select article_entities.article_id
    from {{ ref('fct_article_entities') }} as article_entities
    semi join flagged_entities
        on article_entities.entity_id = flagged_entities.entity_id
)
{%- else -%}
final as (
    select cast(null as varchar) as article_id
    where false
)
{%- endif %}

select * from final
