{% macro derived_table(table_name) -%}
    read_parquet({{ lake_path('derived/' ~ table_name ~ '.parquet') }})
{%- endmacro %}
