SELECT
    input_kind,
    count(*) AS n_files,
    count(*) FILTER (WHERE status = 'parsed') AS n_parsed,
    count(*) FILTER (WHERE status = 'partial') AS n_partial,
    count(*) FILTER (WHERE status = 'rejected') AS n_rejected
FROM {{ ref('reports_all_files') }}
GROUP BY input_kind
ORDER BY n_files DESC, input_kind
