{% test relationships_columns(model, columns) %}
    {#-
        Fails the build with an error naming the model and each column holding a value its
        parent lacks, and how many rows: `columns` maps a column to its parent, {to: <model
        name>, field: <column>} (nulls pass, as in dbt's relationships). One dbt node for a
        model's foreign keys. Each parent is read only for the keys the tested rows hold: its
        key column is scanned against a hash table of those (an incremental build's few rows),
        not built into one (a whole mart's keys at every build).
    -#}
    {%- set missing = [] -%}
    {%- for column, parent in columns.items() -%}
        {%- set query -%}
    select '{{ column }}' as column_name, count(*) as count_rows
    from tested_rows
    where
        {{ column }} is not null
        and {{ column }} not in (
            select parent.{{ parent.field }}
            from {{ ref(parent.to) }} as parent
            semi join tested_rows on parent.{{ parent.field }} = tested_rows.{{ column }}
        )
        {%- endset -%}
        {%- do missing.append(query) -%}
    {%- endfor -%}
    {%- set violations -%}
    with tested_rows as (
        select {{ columns.keys() | join(', ') }} from {{ model }}
    ),

    missing as (
        {{ missing | join('\n    union all\n') }}
    )

    select column_name, count_rows from missing where count_rows > 0
    {%- endset -%}
    {{ raise_rule_violations('no parent row', violations) }}
{% endtest %}
