-- Every printed cell of tables 2, 3 and 4 in one long shape, for checks that treat all
-- cells alike: `cell` is 'category/applicant_type', 'item/measure' or 'proceeding/outcome';
-- `method` says how the parser read it (label, split, reconstructed, position); `page` is
-- the PDF page (then `line` is the line on that page), null for inputs without pages;
-- `confidence` is the OCR recogniser's (0..1) for figures read by OCR (method 'ocr'), else null.
SELECT report_id, 'applications' AS table_name, category || '/' || applicant_type AS cell,
    value::DOUBLE AS value, raw, line, method, page, confidence
FROM applications_all_files
UNION ALL
SELECT report_id, 'active_disclosure', item || '/' || measure, value, raw, line, method, page,
    confidence
FROM active_disclosure_all_files
UNION ALL
SELECT report_id, 'review_litigation', proceeding || '/' || outcome, value::DOUBLE, raw, line,
    method, page, confidence
FROM review_litigation_all_files
