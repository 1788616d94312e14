{#- The checks that a report's own figures decide (its identities, its blank and inferred
    cells, its text against its table), each report checked once: by the refresh that loads
    its facts (incremental by report_id). Each check carries the snapshot_id of the rows it
    read, so the filter on it reaches the fact tables' scans (DuckDB pushes it through the
    checks' GROUP BYs and skips the row groups of older refreshes): the checks stay views. -#}
-- depends_on: {{ ref('reports_all_files') }}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_reports_gone(ref('reports_all_files')) }}",
) }}
-- (MATERIALIZED: read twice, by the OCR note and the result, the checks run once)
WITH flags AS MATERIALIZED (
    SELECT * FROM (
        SELECT * FROM {{ ref('chk_balance_identity') }}
        UNION ALL BY NAME SELECT * FROM {{ ref('chk_result_total') }}
        UNION ALL BY NAME SELECT * FROM {{ ref('chk_other_subtotal') }}
        UNION ALL BY NAME SELECT * FROM {{ ref('chk_row_total') }}
        UNION ALL BY NAME SELECT * FROM {{ ref('chk_review_total') }}
        UNION ALL BY NAME SELECT * FROM {{ ref('chk_narrative') }}
        UNION ALL BY NAME SELECT * FROM {{ ref('chk_blank_cells') }}
        UNION ALL BY NAME SELECT * FROM {{ ref('chk_inferred_figures') }}
    )
    WHERE {{ loaded_by_this_build() }}
),
-- a report whose broken table-3 identities one figure read by OCR explains: its flags say so
ocr_fits AS (
    {{ ocr_one_value_fits('flags') }}
)
SELECT f.* REPLACE (f.detail || coalesce(o.note, '') AS detail)
FROM flags AS f
LEFT JOIN ocr_fits AS o
    ON o.report_id = f.report_id
    AND f.check_name IN ({{ table_3_identity_checks() }})
