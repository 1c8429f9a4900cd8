{% test relationships_columns(model, columns) %}
    {#-
        Fails the build with an error naming the model and each column holding a value its
        parent lacks, and how many rows: `columns` maps a column to its parent, {to: <model
        name>, field: <column>} (nulls pass, as in dbt's relationships). One dbt node for a
        model's foreign keys, each an anti join (DuckDB builds its hash table on the smaller
        side: an incremental build's tested rows, not the parent's every key).
    -#}
    {%- set missing = [] -%}
    {%- for column, parent in columns.items() -%}
        {%- set query -%}
    select '{{ column }}' as column_name, count(*) as count_rows
    from tested_rows
    anti join {{ ref(parent.to) }} as parent
        on tested_rows.{{ column }} = parent.{{ parent.field }}
    where tested_rows.{{ column }} is not null
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
