-- grain: one row per article (article_id) this build may change: the articles, at the last
-- build and now, of the captures int_captures_changed lists, with what the last build had for
-- them (the _before columns; null for a new article). Empty in a full build.
-- depends_on: {{ ref('int_captures_changed') }}
-- depends_on: {{ ref('stg_lake__articles') }}

with
{% if is_incremental_build() -%}
changed_captures as (
    select * from {{ ref('int_captures_changed') }}
),

current_captures as (
    select captures.article_id
    from {{ ref('stg_lake__articles') }} as captures
    semi join changed_captures
        on captures.capture_id = changed_captures.capture_id
),

touched as (
    select article_id_before as article_id
    from changed_captures
    where article_id_before is not null
    union
    select article_id from current_captures
),

previous_articles as (
    select
        article_id,
        article_key,
        content_sha256,
        source_id
    from {{ previous('int_articles_deduplicated') }}
),

final as (
    select
        touched.article_id,
        previous_articles.article_key as article_key_before,
        previous_articles.content_sha256 as content_sha256_before,
        previous_articles.source_id as source_id_before
    from touched
    left join previous_articles
        on touched.article_id = previous_articles.article_id
)
{%- else -%}
final as (
    select
        cast(null as varchar) as article_id,
        cast(null as bigint) as article_key_before,
        cast(null as varchar) as content_sha256_before,
        cast(null as varchar) as source_id_before
    where false
)
{%- endif %}

select * from final
