-- Raw files present now by parse status, with the number of distinct contents.
SELECT
    status,
    count(*) AS n_files,
    count(DISTINCT report_id) AS n_reports
FROM reports_all_files
GROUP BY status
ORDER BY status
