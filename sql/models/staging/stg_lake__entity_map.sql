-- grain: one row per (entity_type, name_key): which entity a mention name resolves to.
-- Entity resolution rewrites the derived file on every build; kept as a table, an
-- incremental build rewrites only the rows that changed (_loaded_at): the names whose
-- mentions int_mentions_changed re-resolves.
{{
    config(
        materialized='incremental',
        unique_key=['entity_type', 'name_key'],
        incremental_strategy='scope_replace',
        scope_all=true,
    )
}}

with source as (
    select * from {{ derived_table('entity_map') }}
),

renamed as (
    select
        entity_type,
        name_key,
        entity_id,
        {{ loaded_at() }} as _loaded_at
    from source
)

select * from renamed
