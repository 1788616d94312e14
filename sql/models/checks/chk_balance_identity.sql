WITH columns_ AS (
    SELECT
        report_id,
        snapshot_id,
        applicant_type,
        -- which of the four rows the column has (a DISTINCT count costs 2x the query)
        (bool_or(category = 'received.new')::INTEGER
            + bool_or(category = 'received.carried_over')::INTEGER
            + bool_or(category = 'result.total')::INTEGER
            + bool_or(category = 'carried_forward')::INTEGER) AS n_rows,
        count(value) FILTER (
            WHERE category IN ('received.new', 'received.carried_over')) AS n_received,
        count(value) FILTER (WHERE category IN ('result.total', 'carried_forward')) AS n_handled,
        sum(coalesce(value, 0)) FILTER (
            WHERE category IN ('received.new', 'received.carried_over')) AS received,
        sum(coalesce(value, 0)) FILTER (
            WHERE category IN ('result.total', 'carried_forward')) AS handled,
        {{ least_sure_cell("category || '/' || applicant_type") }},
        max(line) FILTER (WHERE category = 'carried_forward') AS line,
        max(page) FILTER (WHERE category = 'carried_forward') AS page
    FROM {{ ref('applications_all_files') }}
    WHERE category IN ('received.new', 'received.carried_over', 'result.total', 'carried_forward')
    GROUP BY report_id, snapshot_id, applicant_type
)
SELECT
    report_id,
    snapshot_id,
    'balance_identity' AS check_name,
    'error' AS severity,
    applicant_type AS scope,
    received::DOUBLE AS expected,
    handled::DOUBLE AS actual,
    line,
    page,
    format('{}: 新收 + 上年结转 = {} but 办理结果总计 + 结转下年度 = {}',
        applicant_type, received, handled) || {{ ocr_note() }} AS detail
FROM columns_
WHERE n_rows = 4 AND n_received > 0 AND n_handled > 0 AND received <> handled
