{#- A model's relation without its database (catalog) name: a view's stored SQL then names
    "main".<model>, and keeps working when the file is attached under another name
    (ATTACH 'warehouse.duckdb' AS wh). -#}
{% macro ref() %}
    {%- set relation = builtins.ref(*varargs, **kwargs) -%}
    {%- if relation is not none and relation.include is defined -%}
        {%- do return(relation.include(database=False)) -%}
    {%- endif -%}
    {%- do return(relation) -%}
{% endmacro %}
