{{ config(materialized='view') }}
SELECT f.*
FROM {{ ref('review_litigation_all_files') }} AS f
WHERE f.report_id IN (SELECT report_id FROM {{ ref('reports') }})
