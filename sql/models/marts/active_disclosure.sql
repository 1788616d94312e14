{{ config(materialized='view') }}
SELECT f.*
FROM {{ ref('active_disclosure_all_files') }} AS f
WHERE f.report_id IN (SELECT report_id FROM {{ ref('reports') }})
