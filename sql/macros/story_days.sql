{#
    Story windows by day: an incremental build matches its changed articles' topic bands only
    against the stored bands (int_topic_bands, written in publication-day order) of the days
    their story windows reach, so DuckDB skips the row groups of every other day.
#}

{% macro story_band_probes(days_query, window_days) -%}
    {#-
        The probes of an incremental story lookup, each a dict: changed articles of days
        first_day .. last_day are matched against stored bands of days band_first .. band_last.
        A run's articles are mostly recent: the newest run of days whose windows touch
        (consecutive days at most 2 * window_days + 1 apart) is one probe reading only its own
        days' bands; every older day, however spread, is a second probe reading the bands of
        the days before those (so each band is read at most once), its hash table a few rows.
        Empty when the query (of built models) has no day.
    -#}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set spans_query -%}
        with days as (
            select distinct published_day
            from ({{ days_query }})
            where published_day is not null
        ),

        gaps as (
            select
                published_day,
                published_day - lag(published_day) over (order by published_day) as day_gap
            from days
        )

        select
            min(published_day) as first_day,
            max(published_day) filter (
                where day_gap is null or day_gap > {{ 2 * window_days }}
            ) as newest_first_day,
            max(published_day) as last_day
        from gaps
    {%- endset -%}
    {%- set spans = run_query(spans_query).rows[0] -%}
    {%- set first_day, newest_first_day, last_day = spans[0], spans[1], spans[2] -%}
    {%- if first_day is none -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set probes = [] -%}
    {%- if first_day < newest_first_day -%}
        {%- do probes.append({
            'first_day': first_day,
            'last_day': newest_first_day - 1,
            'band_first': first_day - window_days,
            'band_last': newest_first_day - window_days - 1,
        }) -%}
    {%- endif -%}
    {%- do probes.append({
        'first_day': newest_first_day,
        'last_day': last_day,
        'band_first': newest_first_day - window_days,
        'band_last': last_day + window_days,
    }) -%}
    {{ return(probes) }}
{%- endmacro %}
