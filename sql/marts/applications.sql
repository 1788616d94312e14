-- materialized: view
-- Table 3 (applications received and how they were handled): one row per category × applicant type
-- of the report that stands for each agency-year (`reports`): summing it counts each
-- agency-year once. Every file's rows are in applications_all_files.
SELECT f.*
FROM applications_all_files AS f
WHERE f.report_id IN (SELECT report_id FROM reports)
