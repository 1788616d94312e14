{#- The rows of the reports whose facts the running build loaded (their `snapshot_id`), less
    any this model already holds (a build run again in the same snapshot inserts nothing
    twice): a per-report model built incrementally reads only these. TRUE in a full build.
    On a fact table's scan (or pushed down to it through GROUP BYs on report_id and
    snapshot_id), DuckDB skips the row groups of older builds. -#}
{% macro loaded_by_this_build() -%}
    {%- if is_incremental() -%}
        (snapshot_id = {{ snapshot_id() }} AND report_id NOT IN (SELECT report_id FROM {{ this }}))
    {%- else -%}
        TRUE
    {%- endif -%}
{%- endmacro %}
