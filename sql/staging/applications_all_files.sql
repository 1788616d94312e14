-- Table 3 (applications received and how they were handled): one row per report ×
-- category × applicant type; `value` null where the cell was blank or unreadable.
-- incremental by: report_id
SELECT *
FROM read_parquet('{{warehouse_dir}}/applications.parquet')
