WITH groups_ AS (
    SELECT
        report_id,
        snapshot_id,
        proceeding,
        count(*) FILTER (WHERE outcome = 'total') AS n_total_cells,
        count(value) FILTER (WHERE outcome <> 'total') AS n_parts,
        coalesce(max(value) FILTER (WHERE outcome = 'total'), 0) AS printed,
        bool_or(value IS NULL) FILTER (WHERE outcome = 'total') AS total_blank,
        coalesce(sum(value) FILTER (WHERE outcome <> 'total'), 0) AS summed,
        {{ least_sure_cell("proceeding || '/' || outcome") }},
        max(line) FILTER (WHERE outcome = 'total') AS line,
        max(page) FILTER (WHERE outcome = 'total') AS page
    FROM {{ ref('review_litigation_all_files') }}
    GROUP BY report_id, snapshot_id, proceeding
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
