WITH columns_ AS (
    SELECT
        report_id,
        snapshot_id,
        applicant_type,
        max(value) FILTER (WHERE category = 'result.other') AS printed,
        sum(coalesce(value, 0)) FILTER (WHERE category <> 'result.other') AS summed,
        count(*) FILTER (WHERE category <> 'result.other') AS n_parts,
        {{ least_sure_cell("category || '/' || applicant_type") }},
        max(line) FILTER (WHERE category = 'result.other') AS line,
        max(page) FILTER (WHERE category = 'result.other') AS page
    FROM {{ ref('applications_all_files') }}
    WHERE starts_with(category, 'result.other')
    GROUP BY report_id, snapshot_id, applicant_type
)
SELECT
    report_id,
    snapshot_id,
    'other_subtotal' AS check_name,
    'error' AS severity,
    applicant_type AS scope,
    summed::DOUBLE AS expected,
    printed::DOUBLE AS actual,
    line,
    page,
    format('{}: the three 其他处理 rows add up to {} but (六)其他处理 is {}', applicant_type,
        summed, printed) || {{ ocr_note() }} AS detail
FROM columns_
WHERE n_parts > 0 AND printed IS NOT NULL AND printed <> summed
