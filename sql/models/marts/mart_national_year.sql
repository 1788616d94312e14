SELECT * EXCLUDE (grain, province, city, level)
FROM {{ ref('region_grain_figures') }}
WHERE grain = 'national'
ORDER BY year
