{#- `columns` are a key of the table: none of them null, and no two rows share their values. -#}
{% test is_key(model, columns) %}
SELECT {{ columns | join(', ') }}, count(*) AS n_rows
FROM {{ model }}
GROUP BY ALL
HAVING count(*) > 1 OR {{ columns | join(' IS NULL OR ') }} IS NULL
{% endtest %}
