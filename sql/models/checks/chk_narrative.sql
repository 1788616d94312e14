WITH stated AS (
    SELECT DISTINCT report_id, narrative['received_applications'] AS stated
    FROM {{ ref('reports_all_files') }}
    WHERE narrative['received_applications'] IS NOT NULL
)
SELECT
    s.report_id,
    a.snapshot_id,
    'narrative' AS check_name,
    'warning' AS severity,
    'received_applications' AS scope,
    a.value::DOUBLE AS expected,
    s.stated::DOUBLE AS actual,
    a.line,
    format('the text says {} applications were received, table 3 (新收 总计) says {}',
        s.stated, a.value) AS detail
FROM stated AS s
JOIN {{ ref('applications_all_files') }} AS a
    ON a.report_id = s.report_id AND a.category = 'received.new' AND a.applicant_type = 'total'
WHERE a.value IS NOT NULL AND a.value <> s.stated
