-- grain: one row per (entity_type, name_key): which entity a mention name resolves to
with source as (
    select * from {{ derived_table('entity_map') }}
),

renamed as (
    select
        entity_type,
        name_key,
        entity_id
    from source
)

select * from renamed
