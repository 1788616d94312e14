{#- Every code of `columns` is a row of the dimension table `dimension` (built from the
    code list shipped in the repository, sql/seeds/code_labels.csv): no code without its
    printed label. -#}
{% test known_codes(model, dimension, columns) %}
SELECT DISTINCT {{ columns | join(', ') }}
FROM {{ model }}
ANTI JOIN {{ ref(dimension) }} USING ({{ columns | join(', ') }})
{% endtest %}
