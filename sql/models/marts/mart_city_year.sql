SELECT * EXCLUDE (grain, level)
FROM {{ ref('region_grain_figures') }}
WHERE grain = 'city'
ORDER BY year, province NULLS FIRST, city NULLS FIRST
