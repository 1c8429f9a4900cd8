{#
    Incremental builds. newsloom builds into a copy of the last published database: without
    --full-refresh, each incremental model recomputes only the keys of its scope (listed by a
    change model, intermediate/changes/) and replaces, of that scope's rows, only those that
    differ; every other row is kept as the last build left it. With --full-refresh (a new
    database, or the models changed) every model is built from the whole lake.
#}

{% macro is_incremental_build() -%}
    {#- An incremental build: newsloom passes --full-refresh whenever it starts from nothing. -#}
    {{ return(execute and not flags.FULL_REFRESH) }}
{%- endmacro %}

{% macro loaded_at() -%}
    {#- When this build started: the _loaded_at of every row it writes or rewrites. -#}
    cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}+00' as timestamp with time zone)
{%- endmacro %}

{% macro previous(model_name) -%}
    {#-
        The table `model_name` as the previous build left it: a change model compares it with
        what this build will write. Only models that depend on the caller may be read this
        way (dbt then builds them after it), and only in an incremental build.
    -#}
    {%- if not execute -%}
        {{ return(this) }}
    {%- endif -%}
    {%- set node = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
        | selectattr('name', 'equalto', model_name) | first -%}
    {%- if model.unique_id not in node.depends_on.nodes -%}
        {{ exceptions.raise_compiler_error(
            model_name ~ " must depend on " ~ model.name ~ " to be read as its previous build") }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(node.database, node.schema, node.alias) -%}
    {%- if relation is none -%}
        {{ exceptions.raise_compiler_error(
            "no previous build of " ~ model_name ~ ": build with --full-refresh") }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{% macro with_scope(rows, scope, key) -%}
    {#-
        An incremental model's output: its recomputed rows, and in an incremental build one
        marker row per key of its scope (_scope_key), whose old rows the scope_replace
        strategy replaces with the recomputed ones.
    -#}
    select * from {{ rows }}
    {%- if is_incremental() %}
    union all by name
    select {{ key }} as _scope_key from {{ scope }}
    {%- endif %}
{%- endmacro %}

{% macro get_incremental_scope_replace_sql(arg_dict) -%}
    {#-
        Replace the rows of the scope by the recomputed rows. The scope: every row with
        scope_all=true; else the rows whose scope_columns (default: the unique_key) match a
        marker's _scope_key, and the rows whose unique_key a recomputed row has. Rows equal to
        their recomputation (every column but _loaded_at) are left alone, so _loaded_at says
        when a row last changed. The rows are compared with except, not except all: a key is
        unique on both sides, so the two agree, and except all numbers every row with a window
        partitioned by all its columns (twice the CPU of except's hash anti join). (dbt builds
        the table whole instead on --full-refresh or when it does not exist.)
    -#}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set source = arg_dict['temp_relation'] -%}
    {%- set unique_key = config.get('unique_key') -%}
    {%- set keys = [unique_key] if unique_key is string else unique_key -%}
    {%- set scope_columns = config.get('scope_columns') or keys -%}
    {%- set columns = arg_dict['dest_columns'] | map(attribute='name') | list -%}
    {%- set compared = columns | reject('equalto', '_loaded_at') | join(', ') -%}
    {%- set source_columns = adapter.get_columns_in_relation(source) | map(attribute='name') | list -%}
    {%- set has_markers = '_scope_key' in source_columns -%}
    {%- set recomputed = '_scope_key is null' if has_markers else 'true' -%}
    {%- set suffix = target.identifier %}
    {%- set key_match = [] -%}
    {%- for key in keys -%}
        {%- do key_match.append('scope_target.' ~ key ~ ' = scope_keys.' ~ key) -%}
    {%- endfor %}
    {%- if config.get('scope_all') %}
    create or replace temporary table scope_old_{{ suffix }} as
    select {{ compared }} from {{ target }};
    {%- elif has_markers and keys | length == 1 and scope_columns == keys %}
    -- the scope's rows by their one key, the markers' and the recomputed rows': one semi join
    -- reads the target's key column once
    create or replace temporary table scope_rowids_{{ suffix }} as
    select scope_target.rowid as scope_rowid
    from {{ target }} as scope_target
    semi join (
        select _scope_key as scope_key from {{ source }} where _scope_key is not null
        union all
        select {{ keys[0] }} from {{ source }} where {{ recomputed }}
    ) as scope_keys
        on scope_target.{{ keys[0] }} = scope_keys.scope_key;
    {%- else %}
    -- the keys of the scope's rows: semi joins, each a hash probe of the target
    create or replace temporary table scope_keys_{{ suffix }} as
    {%- if has_markers %}
    {%- for column in scope_columns %}
    select {{ keys | join(', ') }}
    from {{ target }} as scope_target
    semi join {{ source }} as scope_markers
        on scope_target.{{ column }} = scope_markers._scope_key
    union
    {%- endfor %}
    {%- endif %}
    select {{ keys | join(', ') }} from {{ source }} where {{ recomputed }};

    -- their rows' ids: a key column is read whole
    create or replace temporary table scope_rowids_{{ suffix }} as
    select scope_target.rowid as scope_rowid
    from {{ target }} as scope_target
    semi join scope_keys_{{ suffix }} as scope_keys
        on {{ key_match | join(' and ') }};
    drop table scope_keys_{{ suffix }};
    {%- endif %}

    {%- if not config.get('scope_all') %}

    -- the rows, fetched by rowid: the wide rows are read only where they are (new rows are
    -- appended, so those of a recent scope sit in the last row groups)
    create or replace temporary table scope_old_{{ suffix }} as
    select {{ compared }}
    from {{ target }} as scope_target
    semi join scope_rowids_{{ suffix }} as scope_rowids
        on scope_target.rowid = scope_rowids.scope_rowid;

    drop table scope_rowids_{{ suffix }};
    {%- endif %}

    create or replace temporary table scope_gone_{{ suffix }} as
    select {{ keys | join(', ') }} from (
        select {{ compared }} from scope_old_{{ suffix }}
        except
        select {{ compared }} from {{ source }} where {{ recomputed }}
    );

    delete from {{ target }} as scope_target
    using scope_gone_{{ suffix }} as scope_gone
    where
        {%- for key in keys %}
        scope_target.{{ key }} = scope_gone.{{ key }}{{ " and" if not loop.last }}
        {%- endfor %};

    insert into {{ target }} ({{ compared }}, _loaded_at)
    select *, {{ loaded_at() }} from (
        select {{ compared }} from {{ source }} where {{ recomputed }}
        except
        select {{ compared }} from scope_old_{{ suffix }}
    );

    drop table scope_old_{{ suffix }};
    drop table scope_gone_{{ suffix }};
{%- endmacro %}

{% macro get_where_subquery(relation) -%}
    {#-
        Data tests of a scope_replace model (or a view of _loaded_at rows configured with
        changed_row_tests=true), in an incremental build, read only the rows this build wrote:
        the others passed them when they were written. Uniqueness holds across old and new rows
        too: scope_replace replaces the old row of every key it writes.
    -#}
    {%- set where = config.get('where', '') -%}
    {%- set filters = [where] if where else [] -%}
    {%- if execute and is_incremental_build() -%}
        {%- set tested = graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
            | selectattr('alias', 'equalto', relation.identifier)
            | selectattr('schema', 'equalto', relation.schema) | first -%}
        {%- if tested and (
            tested.config.get('incremental_strategy') == 'scope_replace'
            or tested.config.get('changed_row_tests')
        ) -%}
            {%- do filters.append('_loaded_at = ' ~ loaded_at()) -%}
        {%- endif -%}
    {%- endif -%}
    {%- if filters -%}
        {%- set filtered -%}
            (select * from {{ relation }} where {{ filters | join(' and ') }}) dbt_subquery
        {%- endset -%}
        {{ return(filtered) }}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}

{% macro rows_where(relation, condition) -%}
    {#-
        A table's rows meeting a selective condition, found by rowid first: only the condition's
        columns are read whole, the others only in the row groups that hold a match.
    -#}
    (
        select *
        from {{ relation }}
        where rowid in (select rowid from {{ relation }} where {{ condition }})
    )
{%- endmacro %}
