-- One row per year × agency level (`township`, `county_government`, …, `unknown`).
-- The figures, rates and year-over-year change of region_grain_figures (which says
-- how each is computed). One grain per mart: its rows add up to mart_national_year.
SELECT * EXCLUDE (grain, province, city)
FROM region_grain_figures
WHERE grain = 'level'
ORDER BY year, level NULLS FIRST
