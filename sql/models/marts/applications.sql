{{ config(materialized='view') }}
SELECT f.*
FROM {{ ref('applications_all_files') }} AS f
WHERE f.report_id IN (SELECT report_id FROM {{ ref('reports') }})
