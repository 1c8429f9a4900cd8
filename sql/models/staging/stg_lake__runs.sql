-- grain: one row per run_id, its latest status
with source as (
    select * from {{ lake_table('runs') }}
),

latest as (
    select
        run_id,
        run_status,
        started_at,
        ended_at,
        inputs,
        count_captured,
        count_extracted,
        count_rejected,
        count_skipped,
        detail
    from source
    qualify row_number() over (
        partition by run_id
        order by case run_status when 'running' then 0 else 1 end desc, ended_at desc nulls last
    ) = 1
)

select * from latest
