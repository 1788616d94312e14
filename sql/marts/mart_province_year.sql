-- One row per year × province (`(unresolved)` for names the division table cannot
-- place).
-- The figures, rates and year-over-year change of region_grain_figures (which says
-- how each is computed). One grain per mart: its rows add up to mart_national_year.
SELECT * EXCLUDE (grain, city, level)
FROM region_grain_figures
WHERE grain = 'province'
ORDER BY year, province NULLS FIRST
