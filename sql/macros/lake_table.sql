{#
    The lake table's Parquet files. With row_locators, each row also carries its file's name and
    its row number in that file (filename, file_row_number): a narrow key that picks rows out
    of a wide table without moving the wide columns.
#}
{% macro lake_table(table_name, row_locators=false) -%}
    read_parquet(
        {{ lake_path(table_name ~ '/*.parquet') }},
        union_by_name = true
        {%- if row_locators %}, filename = true, file_row_number = true{% endif %}
    )
{%- endmacro %}

{#
    A path under the lake as a SQL string literal: the lake folder may hold a quote.
#}
{% macro lake_path(relative_path) -%}
    '{{ (var("lake_dir") ~ "/" ~ relative_path) | replace("'", "''") }}'
{%- endmacro %}
