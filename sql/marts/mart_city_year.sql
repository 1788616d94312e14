-- One row per year × province × city; a null city holds the bodies above city level (a
-- province's own government and departments; a municipality's own bodies).
-- The figures, rates and year-over-year change of region_grain_figures (which says
-- how each is computed). One grain per mart: its rows add up to mart_national_year.
SELECT * EXCLUDE (grain, level)
FROM region_grain_figures
WHERE grain = 'city'
ORDER BY year, province NULLS FIRST, city NULLS FIRST
