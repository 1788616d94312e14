-- One row per agency name: province, city and county from the administrative-division
-- package (pipelines/regions.py), and the agency level read from what is left of the name
-- once those divisions are taken off (`remainder`): a street office or township; the
-- government itself or one of its departments at county, city or province level.
SELECT
    a.*,
    CASE
        WHEN regexp_matches(coalesce(a.remainder, ''), '(街道|镇|乡|苏木|办事处)(人民政府|政府|办事处)?$')
            THEN 'township'
        WHEN a.county IS NOT NULL
            THEN CASE WHEN coalesce(a.remainder, '') IN ('', '人民政府', '政府')
                THEN 'county_government' ELSE 'county_department' END
        -- cities directly under a province; a municipality (上海市) is its own province
        WHEN a.city IS NOT NULL AND a.city <> a.province
            THEN CASE WHEN coalesce(a.remainder, '') IN ('', '人民政府', '政府')
                THEN 'city_government' ELSE 'city_department' END
        WHEN a.province IS NOT NULL
            THEN CASE WHEN coalesce(a.remainder, '') IN ('', '人民政府', '政府')
                THEN 'province_government' ELSE 'province_department' END
        ELSE 'unknown'
    END AS level
FROM read_parquet('{{warehouse_dir}}/agencies.parquet') AS a
