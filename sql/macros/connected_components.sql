{#
    The body of a recursive CTE `name(node_id, component_id) using key (node_id)`: each node of
    `edges` (a relation with node_id, neighbour_id, holding both directions of every edge) gets
    the smallest node_id of its connected component (min-label propagation). Each round only
    the nodes whose label just dropped pass it on, so it stops when no label changes.
#}
{% macro connected_components(name, edges) -%}
    {{ name }}(node_id, component_id) using key (node_id) as (
        select distinct
            node_id,
            node_id as component_id
        from {{ edges }}

        union

        select
            {{ edges }}.neighbour_id as node_id,
            min({{ name }}.component_id) as component_id
        from {{ name }}
        inner join {{ edges }}
            on {{ name }}.node_id = {{ edges }}.node_id
        inner join recurring.{{ name }} as current_labels
            on {{ edges }}.neighbour_id = current_labels.node_id
        group by {{ edges }}.neighbour_id
        having min({{ name }}.component_id) < min(current_labels.component_id)
    )
{%- endmacro %}
