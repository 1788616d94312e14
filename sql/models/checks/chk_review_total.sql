WITH groups_ AS (
    {{ parts_and_total(ref('review_litigation_all_files'), 'proceeding', 'outcome') }}
)
SELECT
    report_id,
    snapshot_id,
    'review_total' AS check_name,
    'error' AS severity,
    proceeding AS scope,
    summed::DOUBLE AS expected,
    printed::DOUBLE AS actual,
    line,
    page,
    format('{}: 维持 + 纠正 + 其他 + 尚未审结 = {} but 总计 is {}', proceeding, summed, {{ printed_total('printed', 'total_blank') }}) || {{ ocr_note() }}
        AS detail
FROM groups_
WHERE n_total_cells = 1 AND n_parts > 0 AND summed <> printed
