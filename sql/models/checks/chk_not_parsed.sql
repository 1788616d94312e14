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
FROM {{ ref('reports_all_files') }}
WHERE status <> 'parsed'
