{#- A consistency check (sql/models/checks/chk_*.sql) passes when it raised no flag of
    severity error or warning (info flags are counted in flags_by_check, never a failure).
    Severity warn: a report that breaks an identity is loaded as printed and flagged, so a
    failing check never stops the build. The pipeline gives the Dagster asset check the
    severity of the worst flag (error, else warning) and the largest deviations. -#}
{% test no_flags_raised(model) %}
{{ config(severity='warn') }}
SELECT * FROM {{ model }} WHERE severity IN ('error', 'warning')
{% endtest %}
