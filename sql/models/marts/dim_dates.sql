-- grain: one row per calendar day, spanning every published date and 2000 to next year
with bounds as (
    select
        least(min(published_date), date '2000-01-01') as first_day,
        greatest(
            max(published_date),
            cast(date_trunc('year', current_date) + interval 2 year - interval 1 day as date)
        ) as last_day
    from {{ ref('int_articles_deduplicated') }}
),

days as (
    select cast(unnest(generate_series(first_day, last_day, interval 1 day)) as date) as date_day
    from bounds
),

final as (
    select
        date_day,
        year(date_day) as year,
        quarter(date_day) as quarter,
        month(date_day) as month,
        monthname(date_day) as month_name,
        isoyear(date_day) as iso_year,
        weekofyear(date_day) as iso_week,
        isodow(date_day) as day_of_week,
        dayname(date_day) as day_name,
        isodow(date_day) in (6, 7) as is_weekend
    from days
)

select * from final
