{% test column_rules(model, key=none, not_null=[], accepted_values={}, relationships={}) %}
    {#-
        A model's column rules in one query and one dbt node (each node costs about 25 ms of
        dbt's own Python whatever the rows it reads, and a model's children wait for its
        tests): key, the model's key column (or list of columns), never null and unique;
        not_null, a list of columns; accepted_values, a column's list of values;
        relationships, a column's parent {to: <model name>, field: <column>}. Nulls pass
        accepted_values and relationships, as in dbt's own tests. A violation fails the build
        with an error naming the model, each rule and each column violating it with its count
        of rows (dbt's failure message would only count the test's rows). A model with no
        rule but its key tests it with primary_key (one node either way).
    -#}
    {%- set key_columns = [] if key is none else ([key] if key is string else key) -%}
    {%- set scanned = [] -%}
    {%- for column in key_columns -%}
        {%- do scanned.append(('null key', column, column ~ ' is null')) -%}
    {%- endfor -%}
    {%- for column in not_null -%}
        {%- do scanned.append(('null', column, column ~ ' is null')) -%}
    {%- endfor -%}
    {%- for column, values in accepted_values.items() -%}
        {%- set literals = [] -%}
        {%- for value in values -%}
            {%- do literals.append(
                value if value is number else "'" ~ (value | replace("'", "''")) ~ "'") -%}
        {%- endfor -%}
        {%- do scanned.append(
            ('not an accepted value', column, column ~ ' not in (' ~ literals | join(', ') ~ ')')) -%}
    {%- endfor -%}
    {%- set columns = (key_columns + not_null + accepted_values.keys() | list
        + relationships.keys() | list) | unique | list -%}
    {#- Here, in a macro the test calls, `model` is the test node, not the tested relation. -#}
    {{ raise_rule_violations(model, scanned, relationships, columns, key_columns) }}
{% endtest %}

{% macro raise_rule_violations(tested, scanned, relationships, columns, key_columns=[]) -%}
    {#-
        column_rules' query: no row when `tested` keeps every rule, else an error. scanned:
        (rule, column, condition a violating row meets); relationships: as column_rules';
        key_columns: the columns whose values no two rows share.
    -#}
    {%- set model_name = model.attached_node.split('.')[-1] if execute else '' -%}
    with tested_rows as (
        select {{ columns | join(', ') }} from {{ tested }}
    ),

    violations as (
        {%- if scanned %}
        -- the scanned rules: one pass over the tested rows
        select unnest([
            {%- for rule, column, condition in scanned %}
            {
                'rule': '{{ rule }}',
                'column_name': '{{ column }}',
                'count_rows': count(*) filter (where {{ condition }}),
            }{{ "," if not loop.last }}
            {%- endfor %}
        ], recursive := true)
        from tested_rows
        {%- endif %}
        {#- a relationship is an anti join: DuckDB builds its hash table on the smaller side
            (an incremental build's tested rows, not the parent's every key) #}
        {%- for column, parent in relationships.items() %}
        {{ "union all" if scanned or not loop.first }}
        select 'no parent row' as rule, '{{ column }}' as column_name, count(*) as count_rows
        from tested_rows
        anti join {{ ref(parent.to) }} as parent
            on tested_rows.{{ column }} = parent.{{ parent.field }}
        where tested_rows.{{ column }} is not null
        {%- endfor %}
        {%- if key_columns %}
        {{ "union all" if scanned or relationships }}
        -- the rows whose key another row has (a null key is the other rule)
        select
            'duplicate key' as rule,
            '{{ key_columns | join(", ") }}' as column_name,
            coalesce(sum(count_rows), 0) as count_rows
        from (
            select count(*) as count_rows
            from tested_rows
            where {{ key_columns | join(" is not null and ") }} is not null
            group by {{ key_columns | join(", ") }}
            having count(*) > 1
        )
        {%- endif %}
    ),

    by_rule as (
        select
            rule,
            string_agg(
                column_name || ' (' || count_rows || if(count_rows = 1, ' row)', ' rows)'),
                ', '
                order by column_name
            ) as columns_violating
        from violations
        where count_rows > 0
        group by rule
    ),

    summary as (
        select string_agg(rule || ': ' || columns_violating, '; ' order by rule) as violated
        from by_rule
        having count(*) > 0
    )

    -- raised in a filter: dbt's wrapper only counts rows, and a column it does not read would
    -- be pruned unevaluated (were it not raised, the row would still fail the test)
    select violated
    from summary
    where error('{{ model_name }}: ' || violated) is null
{%- endmacro %}
