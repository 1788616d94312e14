-- (the choice is made on the few columns it reads; the file's other columns are joined to
-- the chosen rows at the end, not carried through the windows and joins)
WITH files AS (
    SELECT agency_key, year, report_id, source_path, status, content_first_seen,
        CASE status WHEN 'parsed' THEN 0 WHEN 'partial' THEN 1 ELSE 2 END AS status_rank
    FROM {{ ref('reports_all_files') }}
    WHERE agency_key IS NOT NULL AND year IS NOT NULL
),
errors AS (
    SELECT report_id, count(*) AS n_error_flags
    FROM {{ ref('flags_per_report') }}
    WHERE severity = 'error'
        AND check_name IN ({{ table_3_identity_checks() }}, 'review_total')
    GROUP BY report_id
),
differ AS (
    SELECT DISTINCT report_id, scope AS other_id
    FROM {{ ref('flags_per_report') }}
    WHERE check_name = 'duplicate_agency_year'
),
agreeing AS (
    SELECT f.source_path, count(*) AS n_files_agreeing
    FROM files AS f
    JOIN files AS g ON g.agency_key = f.agency_key AND g.year = f.year
    LEFT JOIN differ AS d ON d.report_id = f.report_id AND d.other_id = g.report_id
    WHERE f.status <> 'rejected' AND g.status <> 'rejected' AND d.report_id IS NULL
    GROUP BY f.source_path
),
evidence AS (
    SELECT
        f.*,
        coalesce(e.n_error_flags, 0) AS n_error_flags,
        coalesce(a.n_files_agreeing, 0) AS n_files_agreeing,
        count(*) OVER agency_year AS n_files,
        row_number() OVER (
            PARTITION BY f.agency_key, f.year
            ORDER BY f.status_rank, coalesce(e.n_error_flags, 0),
                coalesce(a.n_files_agreeing, 0) DESC, f.content_first_seen DESC,
                f.report_id, f.source_path
        ) AS rank
    FROM files AS f
    LEFT JOIN errors AS e USING (report_id)
    LEFT JOIN agreeing AS a USING (source_path)
    WINDOW agency_year AS (PARTITION BY f.agency_key, f.year)
),
contents AS (
    SELECT agency_key, year, count(DISTINCT report_id) AS n_reports,
        count(*) FILTER (WHERE report_id IN (SELECT report_id FROM differ)) = 0 AS copies_agree
    FROM files
    GROUP BY agency_key, year
),
chosen AS (
    SELECT * FROM evidence WHERE rank = 1
),
-- what the chosen file was preferred to: the best file whose figures differ from its,
-- else the best file with other bytes (and the same figures)
runner_up AS (
    SELECT
        e.agency_key,
        e.year,
        arg_min(e, CASE WHEN d.report_id IS NULL THEN 1000000000 ELSE 0 END + e.rank) AS r,
        bool_or(d.report_id IS NOT NULL) AS figures_differ
    FROM evidence AS e
    JOIN chosen AS c ON c.agency_key = e.agency_key AND c.year = e.year
    LEFT JOIN differ AS d ON d.report_id = c.report_id AND d.other_id = e.report_id
    WHERE e.report_id IS DISTINCT FROM c.report_id
    GROUP BY e.agency_key, e.year
),
explained AS (
    SELECT
        c.*,
        n.n_reports,
        n.copies_agree,
        CASE
            WHEN c.n_files = 1 THEN 'only_file'
            WHEN u.r IS NULL THEN 'identical_copies'
            WHEN c.status_rank < u.r.status_rank THEN 'status'
            WHEN c.n_error_flags < u.r.n_error_flags THEN 'fewer_error_flags'
            WHEN c.n_files_agreeing > u.r.n_files_agreeing THEN 'most_copies_agree'
            WHEN NOT u.figures_differ THEN 'same_figures'
            WHEN c.content_first_seen > u.r.content_first_seen THEN 'newest'
            ELSE 'lowest_report_id'
        END AS chosen_because,
        CASE
            WHEN c.n_files = 1 THEN 'the only file for this agency-year'
            WHEN u.r IS NULL THEN format('all {} files have the same bytes', c.n_files)
            -- (times compared, not printed: the same files give the same sentence)
            ELSE format(
                '{} ({} error flags, figures agreed by {} of {} files) over {} ({}, {} error flags, agreed by {}, {})',
                c.status, c.n_error_flags, c.n_files_agreeing, c.n_files, u.r.source_path,
                u.r.status, u.r.n_error_flags, u.r.n_files_agreeing,
                CASE
                    WHEN u.r.content_first_seen > c.content_first_seen THEN 'seen later'
                    WHEN u.r.content_first_seen < c.content_first_seen THEN 'seen earlier'
                    ELSE 'seen at the same time'
                END)
        END AS chosen_detail
    FROM chosen AS c
    JOIN contents AS n USING (agency_key, year)
    LEFT JOIN runner_up AS u USING (agency_key, year)
)
SELECT
    e.agency_key,
    r.agency,
    e.year,
    e.report_id,
    e.source_path,
    e.chosen_because,
    e.chosen_detail,
    e.n_files,
    e.n_reports,
    e.n_files_agreeing,
    e.n_error_flags,
    e.copies_agree,
    r.* EXCLUDE (agency_key, agency, year, report_id, source_path)
FROM explained AS e
JOIN {{ ref('reports_all_files') }} AS r USING (source_path)
ORDER BY e.year, e.agency_key
