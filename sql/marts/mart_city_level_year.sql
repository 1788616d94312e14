-- One row per year × province × city × agency level; a null city as in mart_city_year.
-- The figures of the agency-years in the group summed (mart_agency_year's, for the report
-- standing for each agency-year), the rates as ratios of sums (each agency weighs in by its
-- volume), and the change in received_new from the year before over the agencies present
-- in both years only (`n_agencies_both_years`). One grain per mart: its rows add up to
-- mart_national_year.
SELECT
    year, province, city, level, n_agencies, n_reports_with_figures,
    received_new, received_carried_over, granted, partially_granted, denied, unable,
    not_processed, other_handling, result_total, carried_forward, review_corrected,
    review_pending, review_total, litigation_corrected, litigation_pending, litigation_total,
    n_flags_error, granted_share, unable_share, not_processed_share, carried_forward_share,
    review_correction_rate, litigation_correction_rate, n_agencies_both_years,
    received_new_both_years, received_new_prev_year, received_new_yoy
FROM figures_with_rates
WHERE grain = 'city_level'
ORDER BY year, province NULLS FIRST, city NULLS FIRST, level NULLS FIRST
