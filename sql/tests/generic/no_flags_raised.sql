{#- A consistency check passes when it raised no flag of severity error or warning (info
    flags are counted in flags_by_check, never a failure). Defined on consistency_flags,
    where every check's flags are (a table: no check's query runs again), one test per
    check, named after it. Severity warn: a report that breaks an identity is loaded as
    printed and flagged, so a failing check never stops the build; the pipeline gives the
    Dagster asset check the severity of the worst flag (error, else warning) and lists
    the largest deviations. -#}
{% test no_flags_raised(model, check) %}
{{ config(severity='warn') }}
SELECT * FROM {{ model }}
WHERE check_name = '{{ check }}' AND severity IN ('error', 'warning')
{% endtest %}
