SELECT * EXCLUDE (grain, city, level)
FROM {{ ref('region_grain_figures') }}
WHERE grain = 'province'
ORDER BY year, province NULLS FIRST
