{#- Where table 3's identities leave exactly one value for one figure read by OCR (issue 16:
    "the report may say so in the flag, not in the figure"). `flags` holds a report's flags;
    its broken table-3 identities are those of balance_identity, result_total,
    other_subtotal and row_total. A cell read by OCR fits when every broken identity holds
    it, every identity it is in is broken, and all of them ask for the same other value of
    it (a whole number, not below 0): read as that value, the cell would make every identity
    of table 3 hold. One row (report_id, note) per report where exactly one cell fits; the
    note is added to those flags' detail, and the figure stays as read.

    Which identities a cell is in restates the four checks (sql/models/checks/chk_*.sql):
    change both together. Each figure of table 3 is in its row's identity and in one or two
    of its column's, so one misread breaks two or three identities that cross only at that
    cell; table 4's figures are each in one identity only, so they never fit alone. Blank
    cells are no candidates. -#}
{#- The checks of table 3's identities (a flag of one is a broken identity). -#}
{% macro table_3_identity_checks() -%}
    'balance_identity', 'result_total', 'other_subtotal', 'row_total'
{%- endmacro %}

{% macro ocr_one_value_fits(flags) -%}
WITH broken AS (
    SELECT report_id, check_name, scope::VARCHAR AS scope, expected, actual
    FROM {{ flags }}
    WHERE check_name IN ({{ table_3_identity_checks() }})
),
n_broken AS (
    SELECT report_id, count(*) AS n FROM broken GROUP BY report_id
),
cells AS (
    SELECT
        report_id, category, applicant_type, value, confidence,
        bool_or(starts_with(category, 'result.other.')) OVER column_ AS has_other_parts,
        bool_or(category = 'result.other' AND value IS NOT NULL) OVER column_ AS has_subtotal
    FROM {{ ref('applications_all_files') }}
    WHERE report_id IN (SELECT report_id FROM n_broken)
    WINDOW column_ AS (PARTITION BY report_id, applicant_type)
),
-- each cell × each identity it is in, and whether it is on the printed-total side
membership AS (
    SELECT *, 'row_total' AS check_name, category AS scope, applicant_type = 'total' AS total_side
    FROM cells
    UNION ALL
    SELECT *, 'balance_identity', applicant_type, category IN ('result.total', 'carried_forward')
    FROM cells
    WHERE category IN ('received.new', 'received.carried_over', 'result.total', 'carried_forward')
    UNION ALL
    SELECT *, 'result_total', applicant_type, category = 'result.total'
    FROM cells
    WHERE starts_with(category, 'result.') AND NOT (category = 'result.other' AND has_other_parts)
    UNION ALL
    SELECT *, 'other_subtotal', applicant_type, category = 'result.other'
    FROM cells
    WHERE has_subtotal AND has_other_parts AND starts_with(category, 'result.other')
),
-- what each cell would have to be by each broken identity it is in (null: not broken)
shifts AS (
    SELECT
        m.report_id, m.category, m.applicant_type, m.value, m.confidence, b.check_name,
        CASE WHEN m.total_side THEN b.expected - b.actual ELSE b.actual - b.expected END
            AS shift
    FROM membership AS m
    LEFT JOIN broken AS b
        ON b.report_id = m.report_id AND b.check_name = m.check_name AND b.scope = m.scope
    WHERE m.confidence IS NOT NULL AND m.value IS NOT NULL
),
candidates AS (
    SELECT
        report_id, category, applicant_type,
        any_value(value) AS value,
        any_value(confidence) AS confidence,
        count(*) AS n_in,
        count(check_name) AS n_broken_in,
        min(shift) AS shift_lo,
        max(shift) AS shift_hi
    FROM shifts
    GROUP BY report_id, category, applicant_type
),
fits AS (
    SELECT c.*, c.value + c.shift_lo AS fitting
    FROM candidates AS c
    JOIN n_broken AS n ON n.report_id = c.report_id
    WHERE c.n_broken_in = c.n_in AND c.n_broken_in = n.n AND c.shift_lo = c.shift_hi
        AND c.value + c.shift_lo >= 0 AND c.shift_lo = round(c.shift_lo)
)
SELECT
    report_id,
    format('; one figure read by OCR explains every broken identity of table 3: {}/{}, read '
        || 'as {} (confidence {:.3f}); {} there would make them all hold (the figure stays '
        || 'as read)', category, applicant_type, value, confidence, fitting::BIGINT) AS note
FROM fits
QUALIFY count(*) OVER (PARTITION BY report_id) = 1
{%- endmacro %}
