{% test unique_combination_of_columns(model, columns) %}
    {#- Fails with the key combinations that occur more than once (composite keys). -#}
    select
        {{ columns | join(', ') }},
        count(*) as count_rows
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}
