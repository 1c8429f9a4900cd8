{% test accepted_values_columns(model, columns) %}
    {#-
        Fails the build with an error naming the model and each column holding a value outside
        its list, and how many rows: `columns` maps a column to its accepted values (nulls
        pass, as in dbt's accepted_values). One query and one dbt node for a model's
        enumerations.
    -#}
    {%- set conditions = {} -%}
    {%- for column, values in columns.items() -%}
        {%- set literals = [] -%}
        {%- for value in values -%}
            {%- do literals.append(value if value is number else "'" ~ (value | replace("'", "''")) ~ "'") -%}
        {%- endfor -%}
        {%- do conditions.update({column: column ~ ' not in (' ~ literals | join(', ') ~ ')'}) -%}
    {%- endfor -%}
    {{ raise_rule_violations('not an accepted value', columns_violated(model, conditions)) }}
{% endtest %}
