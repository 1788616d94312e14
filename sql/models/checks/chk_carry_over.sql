-- (each report once, however many files carry it, before its cells are joined)
WITH report_years AS (
    SELECT DISTINCT report_id, agency_key, year
    FROM {{ ref('reports_all_files') }}
    WHERE agency_key IS NOT NULL
),
this_year AS (
    SELECT r.report_id, r.agency_key, r.year, a.applicant_type, a.value, a.line
    FROM report_years AS r
    JOIN {{ ref('applications_all_files') }} AS a USING (report_id)
    WHERE a.category = 'received.carried_over'
),
last_year AS (
    SELECT y.agency_key, y.year, y.source_path, a.applicant_type, a.value
    FROM {{ ref('reports') }} AS y
    JOIN {{ ref('applications_all_files') }} AS a USING (report_id)
    WHERE a.category = 'carried_forward'
)
SELECT
    t.report_id,
    'carry_over' AS check_name,
    'warning' AS severity,
    t.applicant_type AS scope,
    coalesce(l.value, 0)::DOUBLE AS expected,
    coalesce(t.value, 0)::DOUBLE AS actual,
    t.line,
    format('{}: 上年结转 {} but the {} report ({}) carried forward {}',
        t.applicant_type, coalesce(t.value, 0), l.year, l.source_path, coalesce(l.value, 0))
        AS detail
FROM this_year AS t
JOIN last_year AS l
    ON l.agency_key = t.agency_key AND l.year = t.year - 1 AND l.applicant_type = t.applicant_type
WHERE (t.value IS NOT NULL OR l.value IS NOT NULL)
    AND coalesce(t.value, 0) <> coalesce(l.value, 0)
