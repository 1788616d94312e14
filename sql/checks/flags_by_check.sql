-- How many flags each check raised, by severity, and on how many reports.
SELECT
    check_name,
    severity,
    count(*) AS n_flags,
    count(DISTINCT coalesce(report_id, source_path)) AS n_reports
FROM consistency_flags
GROUP BY check_name, severity
ORDER BY check_name, severity
