-- Aggregates of mart_agency_year by year × province × city × agency level. `grain` names
-- the grouping: 'province_city_level', 'province_level', 'province', 'level' or 'year';
-- a grouping column that is NULL in a row means "all" (a NULL city at the
-- province_city_level grain means bodies above city level; '(unresolved)' a name the
-- division table could not place). Rates are ratios of sums, so each agency weighs in by
-- its volume; `received_new_yoy` compares with the same group a year earlier.
SELECT
    grain, year, province, city, level, n_agencies, n_reports_with_figures,
    received_new, received_carried_over, granted, partially_granted, denied, unable,
    not_processed, other_handling, result_total, carried_forward, review_corrected,
    review_pending, review_total, litigation_corrected, litigation_pending, litigation_total,
    n_flags_error, granted_share, unable_share, not_processed_share, carried_forward_share,
    review_correction_rate, litigation_correction_rate, received_new_prev_year, received_new_yoy
FROM figures_with_rates
WHERE grain <> 'agency'
ORDER BY year, grain, province NULLS FIRST, city NULLS FIRST, level NULLS FIRST
