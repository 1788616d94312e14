-- materialized: table
-- The flags raised on each report by itself or against the other files of its agency-year:
-- every check that does not depend on which report stands for an agency-year. `reports`
-- chooses by them (fewer error flags, the figures most copies agree on); consistency_flags
-- adds the checks that compare with the standing reports (carry_over, outlier).
SELECT * FROM chk_balance_identity
UNION ALL BY NAME SELECT * FROM chk_result_total
UNION ALL BY NAME SELECT * FROM chk_other_subtotal
UNION ALL BY NAME SELECT * FROM chk_row_total
UNION ALL BY NAME SELECT * FROM chk_review_total
UNION ALL BY NAME SELECT * FROM chk_narrative
UNION ALL BY NAME SELECT * FROM chk_duplicate_agency_year
UNION ALL BY NAME SELECT * FROM chk_blank_cells
UNION ALL BY NAME SELECT * FROM chk_inferred_figures
UNION ALL BY NAME SELECT * FROM chk_not_parsed
