{#- An incremental fact table holds as many rows as its source file: rows inserted and
    deleted report by report add up. Fails when they do not (a row nobody can explain):
    the pipeline then rebuilds the table in full. -#}
{% test rows_match_source(model, table) %}
SELECT n_rows, n_source_rows FROM (
    SELECT
        (SELECT count(*) FROM {{ model }}) AS n_rows,
        (SELECT count(*) FROM {{ source('govreports', table) }}) AS n_source_rows
)
WHERE n_rows <> n_source_rows
{% endtest %}
