-- materialized: table
-- exported: no
-- The rates analysts ask for, stated once for every grain: one agency-year (grain
-- 'agency') or a region × level group (the grains of region_year_figures). Rates are
-- ratios of sums, null where the denominator is 0 or blank; `received_new_yoy` compares
-- with the same agency or group a year earlier.
WITH f AS (
    SELECT 'agency' AS grain, * FROM agency_year_figures
    UNION ALL BY NAME
    SELECT * FROM region_year_figures
)
SELECT
    f.*,
    (coalesce(f.granted, 0) + coalesce(f.partially_granted, 0)) / nullif(f.result_total, 0)
        AS granted_share,
    f.unable / nullif(f.result_total, 0) AS unable_share,
    f.not_processed / nullif(f.result_total, 0) AS not_processed_share,
    f.carried_forward / nullif(coalesce(f.received_new, 0) + coalesce(f.received_carried_over, 0), 0)
        AS carried_forward_share,
    f.review_corrected / nullif(f.review_total - coalesce(f.review_pending, 0), 0)
        AS review_correction_rate,
    f.litigation_corrected / nullif(f.litigation_total - coalesce(f.litigation_pending, 0), 0)
        AS litigation_correction_rate,
    p.received_new AS received_new_prev_year,
    (f.received_new - p.received_new) / nullif(p.received_new, 0) AS received_new_yoy
FROM f
LEFT JOIN f AS p
    ON p.grain = f.grain AND p.year = f.year - 1
    AND p.agency_key IS NOT DISTINCT FROM f.agency_key
    AND p.province IS NOT DISTINCT FROM f.province
    AND p.city IS NOT DISTINCT FROM f.city
    AND p.level IS NOT DISTINCT FROM f.level
