WITH dated AS (
    SELECT DISTINCT report_id, agency_key, year
    FROM {{ ref('reports_all_files') }}
    WHERE agency_key IS NOT NULL AND year IS NOT NULL AND status <> 'rejected'
),
pairs AS (
    SELECT a.report_id, b.report_id AS other_id
    FROM dated AS a
    JOIN dated AS b
        ON a.agency_key = b.agency_key AND a.year = b.year AND a.report_id <> b.report_id
),
-- the cells of the paired reports only, read once (not every cell, twice, for the joins)
paired_cells AS MATERIALIZED (
    SELECT * FROM {{ ref('stg_cells') }} WHERE report_id IN (SELECT report_id FROM pairs)
),
diffs AS (
    SELECT p.report_id, p.other_id, x.table_name, x.cell, x.value AS this_value,
        y.value AS other_value, x.line
    FROM pairs AS p
    JOIN paired_cells AS x ON x.report_id = p.report_id
    JOIN paired_cells AS y
        ON y.report_id = p.other_id AND y.table_name = x.table_name AND y.cell = x.cell
    WHERE x.value IS DISTINCT FROM y.value
),
other_files AS (
    SELECT report_id, min(source_path) AS source_path FROM {{ ref('reports_all_files') }} GROUP BY report_id
)
SELECT
    d.report_id,
    'duplicate_agency_year' AS check_name,
    'error' AS severity,
    d.other_id AS scope,
    0::DOUBLE AS expected,
    count(*)::DOUBLE AS actual,
    min(d.line) AS line,
    format('same agency-year as {} (report {}): {} cells differ, first {}',
        any_value(o.source_path), d.other_id, count(*),
        min(d.table_name || ' ' || d.cell || ' ' || coalesce(d.this_value::VARCHAR, 'blank')
            || ' vs ' || coalesce(d.other_value::VARCHAR, 'blank'))) AS detail
FROM diffs AS d
JOIN other_files AS o ON o.report_id = d.other_id
GROUP BY d.report_id, d.other_id
