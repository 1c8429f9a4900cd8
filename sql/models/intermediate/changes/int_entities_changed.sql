-- grain: one row per entity (entity_id) whose dim_entities row this build recomputes: the
-- entities resolution changed (stg_lake__entities rows this build rewrote), and the entities,
-- at the last build and now, of the articles int_mentions_changed lists. Empty in a full
-- build. (Read before fct_article_entities is rebuilt: it depends on this model.)
-- depends_on: {{ ref('int_mentions_changed') }}
-- depends_on: {{ ref('stg_lake__entities') }}
-- depends_on: {{ ref('int_entity_mentions_resolved') }}

with
{% if is_incremental_build() -%}
changed_articles as (
    select article_id from {{ ref('int_mentions_changed') }}
),

previous_article_entities as (
    select
        article_id,
        entity_id
    from {{ previous('fct_article_entities') }}
),

final as (
    select entity_id
    from {{ ref('stg_lake__entities') }}
    where _loaded_at = {{ loaded_at() }}
    union
    select previous_article_entities.entity_id
    from previous_article_entities
    semi join changed_articles
        on previous_article_entities.article_id = changed_articles.article_id
    union
    select mentions.entity_id
    from {{ ref('int_entity_mentions_resolved') }} as mentions
    semi join changed_articles
        on mentions.article_id = changed_articles.article_id
)
{%- else -%}
final as (
    select cast(null as varchar) as entity_id
    where false
)
{%- endif %}

select * from final
