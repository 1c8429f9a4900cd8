{% test local_dates_consistent(model, column_name, local_column, offset_column, instant_column) %}
    {#-
        Fails with the rows whose local day (column_name) is not the day of the local time as
        written (local_column), or whose UTC instant (instant_column) is not that local time
        minus its written UTC offset in minutes (offset_column).
    -#}
    select *
    from {{ model }}
    where
        ({{ local_column }} is not null and {{ column_name }} is distinct from cast({{ local_column }} as date))
        or ({{ instant_column }} is not null and {{ column_name }} is null)
        or (
            {{ instant_column }} is not null
            and {{ local_column }} is not null
            and {{ offset_column }} is not null
            and {{ instant_column }} != timezone(
                'UTC', {{ local_column }} - to_minutes(cast({{ offset_column }} as bigint))
            )
        )
{% endtest %}
