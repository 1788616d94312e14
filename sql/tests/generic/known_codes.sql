{#- Every code of `columns` is a row of the dimension table `dimension` (built from the
    code list shipped in the repository, sql/seeds/code_labels.csv): no code without its
    printed label.

    `this_builds_rows_only`: check only the rows loaded by the running build (`snapshot_id`)
    of an incremental fact table. The older rows were checked by the build that loaded them,
    against the same dimension: the code list changes only with sql/, and a change of sql/
    rebuilds the fact tables in full (every row checked again). -#}
{% test known_codes(model, dimension, columns, this_builds_rows_only=false) %}
SELECT DISTINCT {{ columns | join(', ') }}
FROM {{ model }}
ANTI JOIN {{ ref(dimension) }} USING ({{ columns | join(', ') }})
{{ rows_of_this_build(this_builds_rows_only) }}
{% endtest %}
