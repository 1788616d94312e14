-- Table 4 (administrative reconsideration and litigation): one row per report ×
-- proceeding × outcome.
SELECT *
FROM read_parquet('{{warehouse_dir}}/review_litigation.parquet')
