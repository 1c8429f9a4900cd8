-- grain: one row per mention found in a capture's article, at the current NER version
-- (a batch redone after a kill is read once: the latest run's rows per capture)
with source as (
    select * from {{ lake_table('mentions') }}
),

current_version as (
    select *
    from source
    where ner_version = '{{ var("ner_version") }}' or '{{ var("ner_version") }}' = ''
    qualify dense_rank() over (partition by capture_id order by _run_id desc) = 1
),

renamed as (
    select
        capture_id,
        article_id,
        entity_type,
        mention_text,
        start_char,
        end_char,
        local_name,
        name_key,
        is_in_title,
        ner_label,
        mention_source,
        type_evidence,
        ner_version
    from current_version
)

select * from renamed
