WITH rows_ AS (
    {{ parts_and_total(ref('applications_all_files'), 'category', 'applicant_type') }}
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
