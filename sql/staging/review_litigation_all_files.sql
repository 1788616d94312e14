-- Table 4 (administrative reconsideration and litigation): one row per report ×
-- proceeding × outcome.
-- incremental by: report_id
SELECT *
FROM read_parquet('{{warehouse_dir}}/review_litigation.parquet')
