SELECT * EXCLUDE (grain)
FROM {{ ref('region_grain_figures') }}
WHERE grain = 'city_level'
ORDER BY year, province NULLS FIRST, city NULLS FIRST, level NULLS FIRST
