{{ config(materialized='table') }}
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
FROM {{ source('govreports', 'agencies') }} AS a
