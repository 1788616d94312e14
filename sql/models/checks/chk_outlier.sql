WITH standing AS (
    SELECT y.report_id, y.year, coalesce(g.level, 'unknown') AS level
    FROM {{ ref('reports') }} AS y
    LEFT JOIN {{ ref('stg_agencies') }} AS g USING (agency)
),
metrics AS (
    SELECT s.*, 'applications_received' AS metric, a.value::DOUBLE AS x, a.line
    FROM standing AS s
    JOIN {{ ref('applications_all_files') }} AS a USING (report_id)
    WHERE a.category = 'received.new' AND a.applicant_type = 'total'
    UNION ALL
    SELECT s.*, 'review_litigation_cases', sum(r.value)::DOUBLE, min(r.line)
    FROM standing AS s
    JOIN {{ ref('review_litigation_all_files') }} AS r USING (report_id)
    WHERE r.outcome = 'total'
    GROUP BY ALL
    UNION ALL
    SELECT s.*, 'penalty_decisions', d.value, d.line
    FROM standing AS s
    JOIN {{ ref('active_disclosure_all_files') }} AS d USING (report_id)
    WHERE d.item = 'administrative_penalty' AND d.measure = 'decisions'
),
logged AS (
    SELECT *, ln(1 + x) AS lx FROM metrics WHERE x >= 0
),
centred AS (
    SELECT *,
        median(lx) OVER peers AS med,
        count(*) OVER peers AS n_peers
    FROM logged
    WINDOW peers AS (PARTITION BY year, level, metric)
),
scored AS (
    SELECT *, median(abs(lx - med)) OVER (PARTITION BY year, level, metric) AS mad
    FROM centred
)
SELECT
    report_id,
    'outlier' AS check_name,
    'info' AS severity,
    metric AS scope,
    round(exp(med) - 1, 1) AS expected,
    x AS actual,
    line,
    format('{} {} vs a median of {} among {} {} peers in {}',
        metric, x, round(exp(med) - 1, 1), n_peers, level, year) AS detail
FROM scored
WHERE n_peers >= 8 AND mad > 0 AND 0.6745 * abs(lx - med) / mad > 3.5
