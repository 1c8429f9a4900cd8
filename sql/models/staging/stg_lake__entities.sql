-- grain: one row per resolved entity (entity_id)
with source as (
    select * from {{ derived_table('entities') }}
),

renamed as (
    select
        entity_id,
        entity_name,
        entity_type,
        aliases,
        country_code,
        iso_code,
        latitude,
        longitude,
        geonames_id
    from source
)

select * from renamed
