{% macro derived_table(table_name) -%}
    read_parquet('{{ var("lake_dir") }}/derived/{{ table_name }}.parquet')
{%- endmacro %}
