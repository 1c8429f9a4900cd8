-- grain: one row per (stage, locator, reason, capture_id): repeats across runs folded,
-- rejects fixed since (a later capture, a newer extractor) left out
with rejects as (
    select * from {{ ref('stg_lake__rejects') }}
),

-- the last capture of each rejected locator (a few among every capture)
captures as (
    select
        captures.locator,
        max(captures.fetched_at) as last_fetched_at
    from {{ ref('stg_lake__captures') }} as captures
    semi join rejects
        on captures.locator = rejects.locator
    group by captures.locator
),

current_rejects as (
    select rejects.*
    from rejects
    left join captures
        on rejects.locator = captures.locator
    where
        (
            rejects.stage != 'extract'
            or rejects.extractor_version = '{{ var("extractor_version") }}'
            or '{{ var("extractor_version") }}' = ''
        )
        and (
            rejects.stage != 'capture'
            or captures.last_fetched_at is null
            or captures.last_fetched_at < rejects.rejected_at
        )
),

folded as (
    select
        md5(concat_ws('|', stage, locator, reason, coalesce(capture_id, ''))) as reject_id,
        stage,
        locator,
        reason,
        arg_max(detail, rejected_at) as detail,
        capture_id,
        min(rejected_at) as first_rejected_at,
        max(rejected_at) as rejected_at,
        count(*) as count_occurrences
    from current_rejects
    group by stage, locator, reason, capture_id
)

select * from folded
