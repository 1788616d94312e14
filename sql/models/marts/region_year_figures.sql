{{ config(materialized='view') }}
WITH base AS (
    SELECT *, coalesce(province, '(unresolved)') AS province_group
    FROM {{ ref('agency_year_figures') }}
)
SELECT
    CASE
        WHEN grouping(province_group) = 1 AND grouping(level) = 1 THEN 'national'
        WHEN grouping(province_group) = 1 THEN 'level'
        WHEN grouping(city) = 1 AND grouping(level) = 1 THEN 'province'
        WHEN grouping(city) = 1 THEN 'province_level'
        WHEN grouping(level) = 1 THEN 'city'
        ELSE 'city_level'
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
    sum(received_new_natural_person)::BIGINT AS received_new_natural_person,
    sum(received_new_organisations)::BIGINT AS received_new_organisations,
    -- each reason of denied, unable, not_processed (denied_state_secret, …)
    sum(COLUMNS('^(denied|unable|not_processed)_'))::BIGINT,
    sum(review_upheld)::BIGINT AS review_upheld,
    sum(review_other)::BIGINT AS review_other,
    sum(litigation_upheld)::BIGINT AS litigation_upheld,
    sum(litigation_other)::BIGINT AS litigation_other,
    sum(n_flags_error)::BIGINT AS n_flags_error,
    count(*) FILTER (WHERE received_new IS NOT NULL AND received_new_prev_year IS NOT NULL)
        AS n_agencies_both_years,
    sum(received_new) FILTER (WHERE received_new_prev_year IS NOT NULL)::BIGINT
        AS received_new_both_years,
    sum(received_new_prev_year) FILTER (WHERE received_new IS NOT NULL)::BIGINT
        AS received_new_prev_year
FROM base
GROUP BY GROUPING SETS (
    (year, province_group, city, level),
    (year, province_group, city),
    (year, province_group, level),
    (year, province_group),
    (year, level),
    (year)
)
