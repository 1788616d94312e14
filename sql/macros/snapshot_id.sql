{#- The refresh building this snapshot (its run id, the snapshot's dir name): a DuckDB
    variable set by profiles.yml. -#}
{% macro snapshot_id() -%}
    getvariable('govreports_snapshot_id')
{%- endmacro %}
