-- materialized: view
-- Table 2 (proactive disclosure): one row per item × measure
-- of the report that stands for each agency-year (`reports`): summing it counts each
-- agency-year once. Every file's rows are in active_disclosure_all_files.
SELECT f.*
FROM active_disclosure_all_files AS f
WHERE f.report_id IN (SELECT report_id FROM reports)
