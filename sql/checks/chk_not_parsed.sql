-- Files the parser could not read in full, one row per file: `partial` (a table, row or
-- cell could not be read) is a warning, `rejected` (not a report, a legacy format,
-- unreadable bytes) an error. `detail` carries the parser's reason.
SELECT
    report_id,
    source_path,
    agency,
    year,
    'not_parsed' AS check_name,
    CASE status WHEN 'partial' THEN 'warning' ELSE 'error' END AS severity,
    status AS scope,
    NULL::DOUBLE AS expected,
    NULL::DOUBLE AS actual,
    NULL::INTEGER AS line,
    coalesce(status_reason, status) AS detail
FROM reports_all_files
WHERE status <> 'parsed'
