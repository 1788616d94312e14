{{ config(materialized='view') }}
WITH flags AS (
    SELECT
        report_id,
        count(*) FILTER (WHERE severity = 'error') AS n_flags_error,
        count(*) FILTER (WHERE severity = 'warning') AS n_flags_warning,
        count(*) FILTER (WHERE severity = 'info') AS n_flags_info
    FROM {{ ref('consistency_flags') }}
    GROUP BY report_id
),
wide AS MATERIALIZED (
    SELECT
        y.agency_key,
        y.agency,
        y.year,
        g.province,
        g.city,
        g.county,
        coalesce(g.level, 'unknown') AS level,
        y.report_id,
        y.source_path,
        y.chosen_because,
        y.n_files,
        y.n_reports,
        y.status,
        y.format_version,
        fig.* EXCLUDE (report_id, n_figures_inferred, snapshot_id),
        coalesce(flags.n_flags_error, 0) AS n_flags_error,
        coalesce(flags.n_flags_warning, 0) AS n_flags_warning,
        coalesce(flags.n_flags_info, 0) AS n_flags_info,
        coalesce(fig.n_figures_inferred, 0) AS n_figures_inferred
    FROM {{ ref('reports') }} AS y
    LEFT JOIN {{ ref('stg_agencies') }} AS g USING (agency)
    LEFT JOIN {{ ref('figures_per_report') }} AS fig USING (report_id)
    LEFT JOIN flags USING (report_id)
)
SELECT w.*, p.received_new AS received_new_prev_year
FROM wide AS w
-- the same agency a year earlier (its standing report)
LEFT JOIN (SELECT agency_key, year, received_new FROM wide) AS p
    ON p.agency_key = w.agency_key AND p.year = w.year - 1
