-- grain: one row per article (article_id) whose duplicate cluster this build recomputes: the
-- articles of the bodies int_bodies_changed lists and of the bodies now paired with them,
-- the articles int_articles_changed lists, and every member of the clusters the last build
-- put any of those in. Clusters are connected components, so these articles' new clusters
-- hold no one else. Empty in a full build.
-- depends_on: {{ ref('int_bodies_changed') }}
-- depends_on: {{ ref('int_near_duplicate_pairs') }}
-- depends_on: {{ ref('int_articles_deduplicated') }}
-- depends_on: {{ ref('int_articles_changed') }}

with
{% if is_incremental_build() -%}
changed_bodies as (
    select content_sha256 from {{ ref('int_bodies_changed') }}
),

pairs as (
    select
        content_sha256_a,
        content_sha256_b
    from {{ ref('int_near_duplicate_pairs') }}
),

touched_bodies as (
    select content_sha256 from changed_bodies
    union
    select pairs.content_sha256_b
    from pairs
    semi join changed_bodies
        on pairs.content_sha256_a = changed_bodies.content_sha256
    union
    select pairs.content_sha256_a
    from pairs
    semi join changed_bodies
        on pairs.content_sha256_b = changed_bodies.content_sha256
),

touched_articles as (
    select articles.article_id
    from {{ ref('int_articles_deduplicated') }} as articles
    semi join touched_bodies
        on articles.content_sha256 = touched_bodies.content_sha256
    union
    select article_id from {{ ref('int_articles_changed') }}
),

previous_clusters as (
    select
        article_id,
        duplicate_cluster_id
    from {{ previous('int_duplicate_clusters') }}
),

final as (
    select article_id from touched_articles
    union
    select previous_clusters.article_id
    from previous_clusters
    where previous_clusters.duplicate_cluster_id in (
        select previous_clusters.duplicate_cluster_id
        from previous_clusters
        semi join touched_articles
            on previous_clusters.article_id = touched_articles.article_id
    )
)
{%- else -%}
final as (
    select cast(null as varchar) as article_id
    where false
)
{%- endif %}

select * from final
