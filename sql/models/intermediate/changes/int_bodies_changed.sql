-- grain: one row per normalised body (content_sha256) whose articles this build may change:
-- the bodies, at the last build and now, of the articles int_articles_changed lists, with the
-- body's signature_key at the last build (null: it had no signature). Empty in a full build.
-- depends_on: {{ ref('int_articles_changed') }}
-- depends_on: {{ ref('int_articles_deduplicated') }}

with
{% if is_incremental_build() -%}
changed_articles as (
    select * from {{ ref('int_articles_changed') }}
),

current_bodies as (
    select articles.content_sha256
    from {{ ref('int_articles_deduplicated') }} as articles
    semi join changed_articles
        on articles.article_id = changed_articles.article_id
),

touched as (
    select content_sha256_before as content_sha256
    from changed_articles
    where content_sha256_before is not null
    union
    select content_sha256 from current_bodies
),

previous_signatures as (
    select
        content_sha256,
        signature_key
    from {{ previous('int_article_signatures') }}
),

final as (
    select
        touched.content_sha256,
        previous_signatures.signature_key as signature_key_before
    from touched
    left join previous_signatures
        on touched.content_sha256 = previous_signatures.content_sha256
)
{%- else -%}
final as (
    select
        cast(null as varchar) as content_sha256,
        cast(null as bigint) as signature_key_before
    where false
)
{%- endif %}

select * from final
