WITH rows_ AS (
    SELECT
        report_id,
        snapshot_id,
        category,
        count(*) FILTER (WHERE applicant_type = 'total') AS n_total_cells,
        count(value) FILTER (WHERE applicant_type <> 'total') AS n_parts,
        coalesce(max(value) FILTER (WHERE applicant_type = 'total'), 0) AS printed,
        bool_or(value IS NULL) FILTER (WHERE applicant_type = 'total') AS total_blank,
        coalesce(sum(value) FILTER (WHERE applicant_type <> 'total'), 0) AS summed,
        {{ least_sure_cell("category || '/' || applicant_type") }},
        max(line) FILTER (WHERE applicant_type = 'total') AS line,
        max(page) FILTER (WHERE applicant_type = 'total') AS page
    FROM {{ ref('applications_all_files') }}
    GROUP BY report_id, snapshot_id, category
)
SELECT
    report_id,
    snapshot_id,
    'row_total' AS check_name,
    'error' AS severity,
    category AS scope,
    summed::DOUBLE AS expected,
    printed::DOUBLE AS actual,
    line,
    page,
    format('{}: the six applicant columns add up to {} but 总计 is {}', category, summed, {{ printed_total('printed', 'total_blank') }}) || {{ ocr_note() }}
        AS detail
FROM rows_
WHERE n_total_cells = 1 AND n_parts > 0 AND summed <> printed
