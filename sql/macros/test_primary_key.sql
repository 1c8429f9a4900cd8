{% test primary_key(model, column_name) %}
    {#-
        Fails with the key values that are null or occur more than once: a key's unique and
        not-null tests in one query (one dbt node instead of two: each costs dbt's own time).
    -#}
    select
        {{ column_name }},
        count(*) as count_rows
    from {{ model }}
    group by {{ column_name }}
    having count(*) > 1 or {{ column_name }} is null
{% endtest %}
