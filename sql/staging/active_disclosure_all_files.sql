-- Table 2 (proactive disclosure): one row per report × item × measure.
-- incremental by: report_id
SELECT *
FROM read_parquet('{{warehouse_dir}}/active_disclosure.parquet')
