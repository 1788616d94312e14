{{ config(meta={'export': false}) }}
WITH f AS (
    SELECT
        'agency' AS grain,
        *,
        (received_new IS NOT NULL AND received_new_prev_year IS NOT NULL)::BIGINT
            AS n_agencies_both_years,
        CASE WHEN received_new_prev_year IS NOT NULL THEN received_new END
            AS received_new_both_years
    FROM {{ ref('agency_year_figures') }}
    UNION ALL BY NAME
    SELECT * FROM {{ ref('region_year_figures') }}
)
SELECT
    f.*,
    (coalesce(f.granted, 0) + coalesce(f.partially_granted, 0)) / nullif(f.result_total, 0)
        AS granted_share,
    f.received_new_natural_person / nullif(f.received_new, 0) AS natural_person_share,
    f.received_new_organisations / nullif(f.received_new, 0) AS organisation_share,
    f.unable / nullif(f.result_total, 0) AS unable_share,
    f.not_processed / nullif(f.result_total, 0) AS not_processed_share,
    f.carried_forward / nullif(coalesce(f.received_new, 0) + coalesce(f.received_carried_over, 0), 0)
        AS carried_forward_share,
    f.review_corrected / nullif(f.review_total - coalesce(f.review_pending, 0), 0)
        AS review_correction_rate,
    f.litigation_corrected / nullif(f.litigation_total - coalesce(f.litigation_pending, 0), 0)
        AS litigation_correction_rate,
    (f.received_new_both_years - f.received_new_prev_year) / nullif(f.received_new_prev_year, 0)
        AS received_new_yoy,
    -- each reason's share of result_total: denied_state_secret_share, …
    COLUMNS('^((denied|unable|not_processed)_.+)$') / nullif(f.result_total, 0) AS '\1_share',
    -- the refresh that computed these rows (its snapshot) and when; a refresh that finds
    -- nothing new keeps them, with their id
    {{ snapshot_id() }} AS snapshot_id,
    current_timestamp AS refreshed_at
FROM f
