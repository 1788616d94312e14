{{ config(materialized='view') }}
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
FROM {{ ref('figures_with_rates') }}
WHERE grain <> 'agency'
