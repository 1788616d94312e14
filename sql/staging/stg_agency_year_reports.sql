-- The report that stands for each agency-year when several files report it: `parsed`
-- before `partial` before `rejected`, then the bytes seen most recently, then the smallest
-- report_id. `n_files` counts the files naming that agency-year, `n_reports` their
-- distinct contents.
WITH ranked AS (
    SELECT
        report_id, source_path, agency, agency_key, year, status, format_version,
        count(*) OVER agency_year AS n_files,
        row_number() OVER (
            PARTITION BY agency_key, year
            ORDER BY CASE status WHEN 'parsed' THEN 0 WHEN 'partial' THEN 1 ELSE 2 END,
                content_first_seen DESC, report_id, source_path
        ) AS rank
    FROM stg_reports
    WHERE agency_key IS NOT NULL AND year IS NOT NULL
    WINDOW agency_year AS (PARTITION BY agency_key, year)
),
contents AS (
    SELECT agency_key, year, count(DISTINCT report_id) AS n_reports
    FROM stg_reports
    GROUP BY agency_key, year
)
SELECT ranked.* EXCLUDE (rank), contents.n_reports
FROM ranked
JOIN contents USING (agency_key, year)
WHERE rank = 1
