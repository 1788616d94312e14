-- The report that stands for each agency-year (one row per agency-year): the columns of
-- reports_all_files for the file chosen, `n_files` (files naming that agency-year) and
-- `n_reports` (their distinct contents). Chosen: `parsed` before `partial` before
-- `rejected`, then the bytes seen most recently, then the smallest report_id. Files whose
-- agency or year could not be read stand for no agency-year: they are in
-- reports_all_files only.
WITH ranked AS (
    SELECT
        *,
        count(*) OVER agency_year AS n_files,
        row_number() OVER (
            PARTITION BY agency_key, year
            ORDER BY CASE status WHEN 'parsed' THEN 0 WHEN 'partial' THEN 1 ELSE 2 END,
                content_first_seen DESC, report_id, source_path
        ) AS rank
    FROM reports_all_files
    WHERE agency_key IS NOT NULL AND year IS NOT NULL
    WINDOW agency_year AS (PARTITION BY agency_key, year)
),
contents AS (
    SELECT agency_key, year, count(DISTINCT report_id) AS n_reports
    FROM reports_all_files
    WHERE agency_key IS NOT NULL AND year IS NOT NULL
    GROUP BY agency_key, year
)
SELECT
    ranked.agency_key,
    ranked.agency,
    ranked.year,
    ranked.report_id,
    ranked.source_path,
    ranked.n_files,
    contents.n_reports,
    ranked.* EXCLUDE (agency_key, agency, year, report_id, source_path, n_files, rank)
FROM ranked
JOIN contents USING (agency_key, year)
WHERE rank = 1
ORDER BY year, agency_key
