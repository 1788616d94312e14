{#- Pre-hook of the incremental fact tables: delete the rows of the reports no longer in the
    source file (a report's rows never change while the parser and the tidy queries stay the
    same; the pipeline runs a full refresh when they change). -#}
{% macro delete_reports_gone(source_relation) %}
    {%- if is_incremental() -%}
        DELETE FROM {{ this }}
        WHERE report_id NOT IN (SELECT DISTINCT report_id FROM {{ source_relation }})
    {%- endif -%}
{% endmacro %}
