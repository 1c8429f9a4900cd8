-- grain: one row per capture_id whose article NER has finished at the current NER version
with source as (
    select * from {{ lake_table('enrichments') }}
),

current_version as (
    select
        capture_id,
        max(enriched_at) as enriched_at
    from source
    where ner_version = '{{ var("ner_version") }}' or '{{ var("ner_version") }}' = ''
    group by capture_id
)

select * from current_version
