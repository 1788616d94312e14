-- One wide row per agency-year (the report standing for it, see reports):
-- region and level, the main figures of tables 2-4 (table 3's 总计 column), the rates
-- analysts ask for, the change from the year before, and the flags raised on the report.
-- Rates are null where their denominator is 0 or blank.
SELECT * EXCLUDE (grain, n_agencies, n_reports_with_figures, n_agencies_both_years,
    received_new_both_years)
FROM figures_with_rates
WHERE grain = 'agency'
ORDER BY year, province NULLS LAST, city NULLS LAST, agency_key
