-- materialized: table
-- One row per report × failed check (× scope: the column, row or group that failed), with
-- the expected and the actual value and a severity (error, warning, info). A report that
-- breaks an identity is loaded exactly as printed and flagged here, never corrected.
WITH flags AS (
    SELECT * FROM chk_balance_identity
    UNION ALL BY NAME SELECT * FROM chk_result_total
    UNION ALL BY NAME SELECT * FROM chk_other_subtotal
    UNION ALL BY NAME SELECT * FROM chk_row_total
    UNION ALL BY NAME SELECT * FROM chk_review_total
    UNION ALL BY NAME SELECT * FROM chk_carry_over
    UNION ALL BY NAME SELECT * FROM chk_narrative
    UNION ALL BY NAME SELECT * FROM chk_duplicate_agency_year
    UNION ALL BY NAME SELECT * FROM chk_blank_cells
    UNION ALL BY NAME SELECT * FROM chk_inferred_figures
    UNION ALL BY NAME SELECT * FROM chk_not_parsed
    UNION ALL BY NAME SELECT * FROM chk_outlier
),
report_files AS (
    SELECT report_id, min(source_path) AS source_path, any_value(agency) AS agency,
        any_value(year) AS year
    FROM reports_all_files
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
