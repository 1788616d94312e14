{#- A generic test's filter to the rows the running build loaded into an incremental fact
    table (their `snapshot_id`), when `this_builds_rows_only`; nothing otherwise. Each test
    says why the older rows need no check again. -#}
{% macro rows_of_this_build(this_builds_rows_only) -%}
    {%- if this_builds_rows_only -%}
        WHERE snapshot_id = {{ snapshot_id() }}
    {%- endif -%}
{%- endmacro %}
