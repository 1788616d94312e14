-- materialized: view
-- The region marts' rows, every grain (`grain`: national, level, province,
-- province_level, city, city_level), with their columns stated once: each
-- mart_<grain>_year is its grain's rows without the grouping columns it does not use.
-- The figures of the agency-years in the group summed (mart_agency_year's, for the report
-- standing for each agency-year), the rates as ratios of sums (each agency weighs in by its
-- volume), and the change in received_new from the year before over the agencies present
-- in both years only (`n_agencies_both_years`). One grain per mart: its rows add up to
-- mart_national_year. Every count is also split: new applications by applicant
-- (natural persons, organisations), each reason of denied / unable / not_processed,
-- table 4's upheld / other.
SELECT
    grain, year, province, city, level,
    n_agencies, n_reports_with_figures, received_new,
    received_new_natural_person, received_new_organisations, received_carried_over, granted,
    partially_granted, denied, unable, not_processed, other_handling, result_total,
    carried_forward, review_upheld, review_corrected, review_other, review_pending,
    review_total, litigation_upheld, litigation_corrected, litigation_other,
    litigation_pending, litigation_total, n_flags_error, granted_share, natural_person_share,
    organisation_share, unable_share, not_processed_share, carried_forward_share,
    review_correction_rate, litigation_correction_rate, n_agencies_both_years,
    received_new_both_years, received_new_prev_year, received_new_yoy,
    -- each reason of denied, unable and not_processed: its count, then its share of
    -- result_total (denied_state_secret, …, denied_state_secret_share, …)
    COLUMNS(c -> regexp_matches(c, '^(denied|unable|not_processed)_')
        AND c NOT IN ('unable_share', 'not_processed_share')),
    snapshot_id, refreshed_at
FROM figures_with_rates
WHERE grain <> 'agency'
