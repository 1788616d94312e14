SELECT
    status,
    count(*) AS n_files,
    count(DISTINCT report_id) AS n_reports
FROM {{ ref('reports_all_files') }}
GROUP BY status
ORDER BY status
