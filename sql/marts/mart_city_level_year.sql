-- One row per year × province × city × agency level; a null city as in mart_city_year.
-- The figures, rates and year-over-year change of region_grain_figures (which says
-- how each is computed). One grain per mart: its rows add up to mart_national_year.
SELECT * EXCLUDE (grain)
FROM region_grain_figures
WHERE grain = 'city_level'
ORDER BY year, province NULLS FIRST, city NULLS FIRST, level NULLS FIRST
