SELECT
    check_name,
    severity,
    count(*) AS n_flags,
    count(DISTINCT coalesce(report_id, source_path)) AS n_reports
FROM {{ ref('consistency_flags') }}
GROUP BY check_name, severity
ORDER BY check_name, severity
