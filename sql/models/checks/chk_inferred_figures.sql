SELECT
    report_id,
    snapshot_id,
    'inferred_figures' AS check_name,
    CASE WHEN method = 'position' THEN 'warning' ELSE 'info' END AS severity,
    method AS scope,
    0::DOUBLE AS expected,
    count(*)::DOUBLE AS actual,
    -- the first such cell: by page (PDF), then line
    arg_min(line, coalesce(page, 0) * 1000000 + line) AS line,
    min(page) AS page,
    format('{} figure(s) read by {} ({}), e.g. {}', count(*), method,
        CASE method
            WHEN 'position' THEN 'their labels missing: placed by order'
            WHEN 'split' THEN 'cut from run-together digits by the form''s identities'
            WHEN 'reconstructed' THEN 'rebuilt from lines a crawler merged or broke, by the form''s identities'
            WHEN 'ocr' THEN 'recognised by OCR from an image of the page; least confidence '
                || round(min(confidence), 3)
            ELSE 'not beside their label'
        END,
        min(table_name || ' ' || cell || ' (' || CASE WHEN page IS NULL THEN '' ELSE 'page ' || page || ', ' END || 'line ' || coalesce(line::VARCHAR, '?') || ')'))
        AS detail
FROM {{ ref('stg_cells') }}
WHERE method IS DISTINCT FROM 'label'
GROUP BY report_id, snapshot_id, method
