-- One row per year × province × agency level.
-- The figures, rates and year-over-year change of region_grain_figures (which says
-- how each is computed). One grain per mart: its rows add up to mart_national_year.
SELECT * EXCLUDE (grain, city)
FROM region_grain_figures
WHERE grain = 'province_level'
ORDER BY year, province NULLS FIRST, level NULLS FIRST
