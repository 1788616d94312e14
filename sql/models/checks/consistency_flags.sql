{{ config(materialized='table') }}
WITH flags AS (
    -- the checks of each report by itself and against its copies (flags_per_report), and
    -- those that compare with the report standing for another agency-year or its peers
    SELECT * FROM {{ ref('flags_per_report') }}
    UNION ALL BY NAME SELECT * FROM {{ ref('chk_carry_over') }}
    UNION ALL BY NAME SELECT * FROM {{ ref('chk_outlier') }}
),
report_files AS (
    SELECT report_id, min(source_path) AS source_path, any_value(agency) AS agency,
        any_value(year) AS year
    FROM {{ ref('reports_all_files') }}
    WHERE report_id IS NOT NULL
    GROUP BY report_id
)
SELECT
    f.report_id,
    coalesce(f.source_path, r.source_path) AS source_path,
    coalesce(f.agency, r.agency) AS agency,
    coalesce(f.year, r.year) AS year,
    f.check_name,
    f.severity,
    f.scope::VARCHAR AS scope,
    f.expected::DOUBLE AS expected,
    f.actual::DOUBLE AS actual,
    f.line::INTEGER AS line,
    f.page::INTEGER AS page,
    f.detail
FROM flags AS f
LEFT JOIN report_files AS r USING (report_id)
ORDER BY f.check_name, source_path, scope
