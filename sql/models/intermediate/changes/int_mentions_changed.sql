-- grain: one row per article (article_id) whose resolved mentions this build recomputes: the
-- articles int_articles_changed lists, the articles whose current capture has mentions in
-- the mentions files added since the last build, and the articles with a mention of a name
-- that now resolves to another entity (stg_lake__entity_map rows this build rewrote), and the
-- articles mentioning an entity this build rewrote (its type, voted across articles, may have
-- changed: stg_lake__entities rows of this build). Empty in a full build.
{%- set added = changed_lake_files('mentions', 'added') %}

-- depends_on: {{ ref('stg_lake__entity_map') }}
-- depends_on: {{ ref('stg_lake__entities') }}
-- depends_on: {{ ref('int_articles_changed') }}
-- depends_on: {{ ref('int_articles_deduplicated') }}

with
{% if is_incremental_build() -%}
added_captures as (
    select distinct capture_id
    from {{ lake_table_files('mentions', added) }}
),

remapped_names as (
    select
        entity_type,
        name_key
    from {{ ref('stg_lake__entity_map') }}
    where _loaded_at = {{ loaded_at() }}
),

rewritten_entities as (
    select entity_id
    from {{ ref('stg_lake__entities') }}
    where _loaded_at = {{ loaded_at() }}
),

previous_mentions as (
    select
        article_id,
        entity_id,
        model_entity_type,
        name_key
    from {{ previous('int_entity_mentions_resolved') }}
),

final as (
    select article_id from {{ ref('int_articles_changed') }}
    union
    select articles.article_id
    from {{ ref('int_articles_deduplicated') }} as articles
    semi join added_captures
        on articles.capture_id = added_captures.capture_id
    union
    select previous_mentions.article_id
    from previous_mentions
    semi join remapped_names
        on previous_mentions.model_entity_type = remapped_names.entity_type
        and previous_mentions.name_key = remapped_names.name_key
    union
    select previous_mentions.article_id
    from previous_mentions
    semi join rewritten_entities
        on previous_mentions.entity_id = rewritten_entities.entity_id
)
{%- else -%}
final as (
    select cast(null as varchar) as article_id
    where false
)
{%- endif %}

select * from final
