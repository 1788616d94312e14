-- Aggregates of mart_agency_year by year × province × city × agency level. `grain` names
-- the grouping: 'province_city_level', 'province_level', 'province', 'level' or 'year';
-- a grouping column that is NULL in a row means "all" (a NULL city at the
-- province_city_level grain means bodies above city level; '(unresolved)' a name the
-- division table could not place). Rates are ratios of sums, so each agency weighs in by
-- its volume; `received_new_yoy` compares with the same group a year earlier.
WITH base AS (
    SELECT *, coalesce(province, '(unresolved)') AS province_group
    FROM mart_agency_year
),
grouped AS (
    SELECT
        CASE
            WHEN grouping(province_group) = 1 AND grouping(level) = 1 THEN 'year'
            WHEN grouping(province_group) = 1 THEN 'level'
            WHEN grouping(level) = 1 THEN 'province'
            WHEN grouping(city) = 1 THEN 'province_level'
            ELSE 'province_city_level'
        END AS grain,
        year,
        province_group AS province,
        city,
        level,
        count(DISTINCT agency_key) AS n_agencies,
        count(*) FILTER (WHERE status IN ('parsed', 'partial')) AS n_reports_with_figures,
        sum(received_new)::BIGINT AS received_new,
        sum(received_carried_over)::BIGINT AS received_carried_over,
        sum(granted)::BIGINT AS granted,
        sum(partially_granted)::BIGINT AS partially_granted,
        sum(denied)::BIGINT AS denied,
        sum(unable)::BIGINT AS unable,
        sum(not_processed)::BIGINT AS not_processed,
        sum(other_handling)::BIGINT AS other_handling,
        sum(result_total)::BIGINT AS result_total,
        sum(carried_forward)::BIGINT AS carried_forward,
        sum(review_corrected)::BIGINT AS review_corrected,
        sum(review_pending)::BIGINT AS review_pending,
        sum(review_total)::BIGINT AS review_total,
        sum(litigation_corrected)::BIGINT AS litigation_corrected,
        sum(litigation_pending)::BIGINT AS litigation_pending,
        sum(litigation_total)::BIGINT AS litigation_total,
        sum(n_flags_error)::BIGINT AS n_flags_error
    FROM base
    GROUP BY GROUPING SETS (
        (year, province_group, city, level),
        (year, province_group, level),
        (year, province_group),
        (year, level),
        (year)
    )
)
SELECT
    g.*,
    (coalesce(g.granted, 0) + coalesce(g.partially_granted, 0)) / nullif(g.result_total, 0)
        AS granted_share,
    g.unable / nullif(g.result_total, 0) AS unable_share,
    g.not_processed / nullif(g.result_total, 0) AS not_processed_share,
    g.carried_forward / nullif(coalesce(g.received_new, 0) + coalesce(g.received_carried_over, 0), 0)
        AS carried_forward_share,
    g.review_corrected / nullif(g.review_total - coalesce(g.review_pending, 0), 0)
        AS review_correction_rate,
    g.litigation_corrected / nullif(g.litigation_total - coalesce(g.litigation_pending, 0), 0)
        AS litigation_correction_rate,
    p.received_new AS received_new_prev_year,
    (g.received_new - p.received_new) / nullif(p.received_new, 0) AS received_new_yoy
FROM grouped AS g
LEFT JOIN grouped AS p
    ON p.grain = g.grain AND p.year = g.year - 1
    AND p.province IS NOT DISTINCT FROM g.province
    AND p.city IS NOT DISTINCT FROM g.city
    AND p.level IS NOT DISTINCT FROM g.level
ORDER BY g.year, g.grain, g.province NULLS FIRST, g.city NULLS FIRST, g.level NULLS FIRST
