-- materialized: view
-- Table 4 (administrative reconsideration and litigation): one row per proceeding × outcome
-- of the report that stands for each agency-year (`reports`): summing it counts each
-- agency-year once. Every file's rows are in review_litigation_all_files.
SELECT f.*
FROM review_litigation_all_files AS f
WHERE f.report_id IN (SELECT report_id FROM reports)
