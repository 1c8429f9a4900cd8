{#
    The model-level data tests that check one rule on several columns in one query
    (not_null_columns, accepted_values_columns, relationships_columns): each dbt test node costs
    about 25 ms of dbt's own Python whatever the rows it reads, and a model's children wait for
    its tests. A violation fails the build with an error naming the model, the rule and each
    column violating it with its count of rows: dbt's own failure message would only count the
    test's rows.
#}

{% macro columns_violated(relation, conditions) -%}
    {#-
        One row (column_name, count_rows) per column of `conditions` (column: SQL condition a
        violating row meets) that some rows of `relation` violate; one scan for all of them.
    -#}
    with counts as (
        select
            {%- for column, condition in conditions.items() %}
            count(*) filter (where {{ condition }}) as {{ column }}{{ "," if not loop.last }}
            {%- endfor %}
        from {{ relation }}
    ),

    violations as (
        unpivot counts on {{ conditions.keys() | join(', ') }}
        into name column_name value count_rows
    )

    select column_name, count_rows from violations where count_rows > 0
{%- endmacro %}

{% macro raise_rule_violations(rule, violations) -%}
    {#-
        Raise one error naming the tested model, the rule and each violating column with its
        count of rows, when `violations` (a query of column_name, count_rows) has rows.
    -#}
    {#- Here `model` is the test node (the test macro's own `model` argument is the relation). -#}
    {%- set model_name = model.attached_node.split('.')[-1] if execute and model.attached_node else '' -%}
    with violations as (
        {{ violations }}
    ),

    summary as (
        select
            string_agg(
                column_name || ' (' || count_rows || if(count_rows = 1, ' row)', ' rows)'),
                ', '
                order by column_name
            ) as violated
        from violations
        having count(*) > 0
    )

    -- the error is raised in a filter: dbt's wrapper counts rows, and a column it does not
    -- read would be pruned unevaluated (the row still fails the test if it were not raised)
    select violated
    from summary
    where error('{{ model_name }}: {{ rule }}: ' || violated) is null
{%- endmacro %}
