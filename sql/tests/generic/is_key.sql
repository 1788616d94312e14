{#- `columns` are a key of the table: none of them null, and no two rows share their values.

    `this_builds_rows_only`: check only the rows loaded by the running build (`snapshot_id`) of
    an incremental table whose key holds report_id (the fact tables: 14M rows at 100k reports,
    ~6 s to group each refresh). Each report's rows are loaded by one build, so no key of a
    new row can meet an older row's, unless a report's rows were loaded twice: then the table
    holds more rows than its source, which rows_match_source fails (and the pipeline
    rebuilds the table in full, every row checked again). -#}
{% test is_key(model, columns, this_builds_rows_only=false) %}
SELECT {{ columns | join(', ') }}, count(*) AS n_rows
FROM {{ model }}
{%- if this_builds_rows_only %}
WHERE snapshot_id = {{ snapshot_id() }}
{%- endif %}
GROUP BY ALL
HAVING count(*) > 1 OR {{ columns | join(' IS NULL OR ') }} IS NULL
{% endtest %}
