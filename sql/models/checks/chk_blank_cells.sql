SELECT
    report_id,
    snapshot_id,
    'blank_cells' AS check_name,
    'warning' AS severity,
    NULL AS scope,
    0::DOUBLE AS expected,
    count(*)::DOUBLE AS actual,
    -- the first such cell: by page (PDF), then line
    arg_min(line, coalesce(page, 0) * 1000000 + line) AS line,
    min(page) AS page,
    format('{} blank or unreadable cells, e.g. {}', count(*),
        min(table_name || ' ' || cell || ' (' || CASE WHEN page IS NULL THEN '' ELSE 'page ' || page || ', ' END || 'line ' || coalesce(line::VARCHAR, '?') || ')'))
        AS detail
FROM {{ ref('stg_cells') }}
WHERE value IS NULL
GROUP BY report_id, snapshot_id
