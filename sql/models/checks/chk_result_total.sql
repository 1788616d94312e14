WITH columns_ AS (
    SELECT
        report_id,
        snapshot_id,
        applicant_type,
        count(*) FILTER (WHERE category = 'result.total') AS n_total_rows,
        count(*) FILTER (WHERE starts_with(category, 'result.other.')) > 0 AS has_other_parts,
        count(value) FILTER (WHERE category <> 'result.total') AS n_rows,
        count(value) FILTER (WHERE category = 'result.other') AS n_subtotal,
        coalesce(max(value) FILTER (WHERE category = 'result.total'), 0) AS printed,
        bool_or(value IS NULL) FILTER (WHERE category = 'result.total') AS total_blank,
        sum(coalesce(value, 0)) FILTER (WHERE category <> 'result.total') AS summed_rows,
        coalesce(sum(value) FILTER (WHERE category = 'result.other'), 0) AS subtotal,
        {{ least_sure_cell("category || '/' || applicant_type") }},
        max(line) FILTER (WHERE category = 'result.total') AS line,
        max(page) FILTER (WHERE category = 'result.total') AS page
    FROM {{ ref('applications_all_files') }}
    WHERE starts_with(category, 'result.')
    GROUP BY report_id, snapshot_id, applicant_type
),
checked AS (
    SELECT
        *,
        n_rows - CASE WHEN has_other_parts THEN n_subtotal ELSE 0 END AS n_parts,
        summed_rows - CASE WHEN has_other_parts THEN subtotal ELSE 0 END AS summed
    FROM columns_
)
SELECT
    report_id,
    snapshot_id,
    'result_total' AS check_name,
    'error' AS severity,
    applicant_type AS scope,
    summed::DOUBLE AS expected,
    printed::DOUBLE AS actual,
    line,
    page,
    format('{}: the result rows add up to {} but (七)总计 is {}', applicant_type, summed, {{ printed_total('printed', 'total_blank') }}) || {{ ocr_note() }}
        AS detail
FROM checked
WHERE n_total_rows = 1 AND n_parts > 0 AND summed <> printed
