{#
    Lake part files by name: an incremental build reads the files added since the last build,
    not the whole lake (int_lake_files lists them).
#}

{% macro lake_table_files(table_name, files, row_locators=false) -%}
    {#- These part files of a lake table (its empty typed part when there are none). -#}
    {%- set paths = files if files else [var("lake_dir") ~ "/" ~ table_name ~ "/_empty.parquet"] -%}
    read_parquet(
        [{{ sql_strings(paths) }}],
        union_by_name = true
        {%- if row_locators %}, filename = true, file_row_number = true{% endif %}
    )
{%- endmacro %}

{% macro changed_lake_files(table_name, change) -%}
    {#- The table's part files this build found added (change='added') or gone ('removed'). -#}
    {%- set lake_files = ref('int_lake_files') -%}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set query -%}
        select lake_file
        from {{ lake_files }}
        where lake_table = '{{ table_name }}' and {{ change }}_at = {{ loaded_at() }}
        order by lake_file
    {%- endset -%}
    {{ return(run_query(query).columns[0].values() | list) }}
{%- endmacro %}

{% macro lake_files_in(query) -%}
    {#- The distinct lake files a query (of built models) names, to read only those files. -#}
    {%- if not execute -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set files_query -%}
        select distinct lake_file from ({{ query }}) where lake_file is not null order by 1
    {%- endset -%}
    {{ return(run_query(files_query).columns[0].values() | list) }}
{%- endmacro %}

{% macro sql_strings(values) -%}
    {#- Strings as SQL literals for `in (...)`; none: '' (no lake file is named that). -#}
    {%- for value in values %}'{{ value | replace("'", "''") }}'{{ ", " if not loop.last }}{% endfor -%}
    {{- "''" if not values }}
{%- endmacro %}

{% macro article_payloads(column, files=none) -%}
    {#-
        lake_file, lake_row and one payload column of the articles: with `files` (lake_files_in),
        only the rows of those lake files, read by row locator; without, every current article's.
    -#}
    {%- if files is not none %}
    select
        filename as lake_file,
        file_row_number as lake_row,
        {{ column }}
    from {{ lake_table_files('articles', files, row_locators=true) }}
    {%- else %}
    select
        lake_file,
        lake_row,
        {{ column }}
    from {{ ref('stg_lake__article_payloads') }}
    {%- endif %}
{%- endmacro %}
