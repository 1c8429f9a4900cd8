-- grain: one row per (stage, locator, reason, capture_id): repeats across runs folded, and
-- rejects fixed since left out: at any stage, by a later capture of the same input; a timeout
-- or a dead worker, by a retry that succeeded; an extraction, by a newer extractor version
with rejects as (
    select * from {{ ref('stg_lake__rejects') }}
    union all by name
    select * from {{ ref('stg_lake__config_rejects') }}
),

captures as (
    select * from {{ ref('stg_lake__captures') }}
),

-- the captures, extractions and enrichments that can fix a reject (a few among all of them)
captures_of_rejected as (
    select captures.*
    from captures
    semi join rejects
        on captures.locator = rejects.locator
),

extracted as (
    select articles.capture_id
    from {{ ref('stg_lake__articles') }} as articles
    semi join rejects
        on articles.capture_id = rejects.capture_id
),

enriched as (
    select enrichments.capture_id
    from {{ ref('stg_lake__enrichments') }} as enrichments
    semi join rejects
        on enrichments.capture_id = rejects.capture_id
),

-- a reject of a capture is fixed by a capture of the input fetched after it (a retry of the
-- older capture may be rejected later still); a reject without a capture (capture stage), by a
-- capture fetched after the reject
rejected_as_of as (
    select
        rejects.stage,
        rejects.locator,
        rejects.capture_id,
        rejects.rejected_at,
        coalesce(rejected_captures.fetched_at, rejects.rejected_at) as as_of
    from rejects
    left join captures as rejected_captures
        on rejects.capture_id = rejected_captures.capture_id
),

fixed_by_later_capture as (
    select distinct
        rejected_as_of.stage,
        rejected_as_of.locator,
        rejected_as_of.capture_id,
        rejected_as_of.rejected_at
    from rejected_as_of
    inner join captures_of_rejected as captures
        on
            rejected_as_of.locator = captures.locator
            and captures.fetched_at > rejected_as_of.as_of
            and captures.capture_id is distinct from rejected_as_of.capture_id
),

current_rejects as (
    select rejects.*
    from rejects
    anti join fixed_by_later_capture
        on
            rejects.stage = fixed_by_later_capture.stage
            and rejects.locator = fixed_by_later_capture.locator
            and rejects.capture_id is not distinct from fixed_by_later_capture.capture_id
            and rejects.rejected_at = fixed_by_later_capture.rejected_at
    anti join extracted
        on rejects.stage = 'extract' and rejects.capture_id = extracted.capture_id
    anti join enriched
        on
            rejects.stage = 'enrich'
            and rejects.reason in ('timeout', 'worker_died')
            and rejects.capture_id = enriched.capture_id
    where
        rejects.stage != 'extract'
        or rejects.extractor_version = '{{ var("extractor_version") }}'
        or '{{ var("extractor_version") }}' = ''
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
