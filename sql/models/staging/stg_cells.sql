-- A view: it reads tables of the database only (no file), and a table of every cell (16.8M
-- rows at 100k reports) cost ~10 s per refresh to copy what its readers filter anyway.
{{ config(materialized='view') }}
SELECT report_id, 'applications' AS table_name, category || '/' || applicant_type AS cell,
    value::DOUBLE AS value, raw, line, method, page, confidence, snapshot_id
FROM {{ ref('applications_all_files') }}
UNION ALL
SELECT report_id, 'active_disclosure', item || '/' || measure, value, raw, line, method, page,
    confidence, snapshot_id
FROM {{ ref('active_disclosure_all_files') }}
UNION ALL
SELECT report_id, 'review_litigation', proceeding || '/' || outcome, value::DOUBLE, raw, line,
    method, page, confidence, snapshot_id
FROM {{ ref('review_litigation_all_files') }}
