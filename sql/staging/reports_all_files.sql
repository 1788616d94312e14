-- One row per raw file present now (the tidy `reports` table), plus `agency_key`: the
-- agency name without any whitespace, used to match one agency across files and years.
SELECT
    *,
    nullif(regexp_replace(agency, '[\s\x{3000}]+', '', 'g'), '') AS agency_key
FROM read_parquet('{{warehouse_dir}}/reports.parquet')
