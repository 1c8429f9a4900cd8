-- one row per (day, source): articles published that day (UTC); sources past the top 8 as 'other'
with dated as (
    select
        source_id,
        cast(published_at as date) as published_day
    from fct_articles
    where published_at is not null
),

source_ranks as (
    select
        source_id,
        row_number() over (order by count(*) desc, source_id) as source_rank
    from dated
    group by source_id
),

final as (
    select
        strftime(dated.published_day, '%Y-%m-%d') as published_day,
        case when source_ranks.source_rank <= 8 then dated.source_id else 'other' end as source_id,
        count(*) as count_articles
    from dated
    inner join source_ranks using (source_id)
    group by all
)

select * from final order by published_day, source_id
