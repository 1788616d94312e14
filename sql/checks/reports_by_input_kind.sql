-- Raw files present now by the reader they went through (`input_kind`: text, html, pdf,
-- docx, doc, or a refused kind), with how many of each were parsed, partial, rejected.
SELECT
    input_kind,
    count(*) AS n_files,
    count(*) FILTER (WHERE status = 'parsed') AS n_parsed,
    count(*) FILTER (WHERE status = 'partial') AS n_partial,
    count(*) FILTER (WHERE status = 'rejected') AS n_rejected
FROM reports_all_files
GROUP BY input_kind
ORDER BY n_files DESC, input_kind
