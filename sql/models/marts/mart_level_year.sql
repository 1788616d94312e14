SELECT * EXCLUDE (grain, province, city)
FROM {{ ref('region_grain_figures') }}
WHERE grain = 'level'
ORDER BY year, level NULLS FIRST
