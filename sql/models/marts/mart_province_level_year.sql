SELECT * EXCLUDE (grain, city)
FROM {{ ref('region_grain_figures') }}
WHERE grain = 'province_level'
ORDER BY year, province NULLS FIRST, level NULLS FIRST
