{% test not_null_columns(model, columns) %}
    {#-
        Fails the build with an error naming the model and each column that holds nulls, and
        how many: the not_null tests of a model's columns in one query (one dbt node instead of
        one per column: each costs dbt's own time). dbt's own failure message would only count
        rows, so the rule raises DuckDB's error() instead.
    -#}
    {%- set conditions = {} -%}
    {%- for column in columns -%}
        {%- do conditions.update({column: column ~ ' is null'}) -%}
    {%- endfor -%}
    {{ raise_rule_violations('null', columns_violated(model, conditions)) }}
{% endtest %}
