-- grain: one row per resolved entity (entity_id). Entity resolution rewrites the derived file
-- on every build; kept as a table, an incremental build rewrites only the rows that changed
-- (_loaded_at): the entities int_entities_changed recounts.
{{
    config(
        materialized='incremental',
        unique_key='entity_id',
        incremental_strategy='scope_replace',
        scope_all=true,
    )
}}

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
        geonames_id,
        {{ loaded_at() }} as _loaded_at
    from source
)

select * from renamed
