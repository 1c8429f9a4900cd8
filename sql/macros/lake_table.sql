{% macro lake_table(table_name) -%}
    read_parquet('{{ var("lake_dir") }}/{{ table_name }}/*.parquet', union_by_name = true)
{%- endmacro %}
