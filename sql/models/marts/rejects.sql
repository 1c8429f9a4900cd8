-- grain: one row per rejected input and reason (reject_id)
with rejects as (
    select * from {{ ref('int_rejects_current') }}
),

final as (
    select
        reject_id,
        stage,
        locator,
        reason,
        detail,
        capture_id,
        first_rejected_at,
        rejected_at,
        count_occurrences
    from rejects
)

select * from final
