-- All agencies, one row per year.
-- The figures, rates and year-over-year change of region_grain_figures (which says
-- how each is computed). One grain per mart: its rows add up to mart_national_year.
SELECT * EXCLUDE (grain, province, city, level)
FROM region_grain_figures
WHERE grain = 'national'
ORDER BY year
