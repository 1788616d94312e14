SELECT * EXCLUDE (grain, n_agencies, n_reports_with_figures, n_agencies_both_years,
    received_new_both_years)
FROM {{ ref('figures_with_rates') }}
WHERE grain = 'agency'
ORDER BY year, province NULLS LAST, city NULLS LAST, agency_key
