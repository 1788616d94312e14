-- Table 3 (applications received and how they were handled): one row per report ×
-- category × applicant type; `value` null where the cell was blank or unreadable.
SELECT *
FROM read_parquet('{{warehouse_dir}}/applications.parquet')
