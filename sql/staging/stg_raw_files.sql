-- Every raw file ever seen (the raw manifest): path, size, SHA-256, first and last seen;
-- `present` is false for files that have since disappeared from the raw dir.
SELECT *
FROM read_parquet('{{warehouse_dir}}/raw_manifest.parquet')
