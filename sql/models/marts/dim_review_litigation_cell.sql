SELECT
    split_part(code, '/', 1) AS proceeding,
    split_part(code, '/', 2) AS outcome,
    group_label_zh AS proceeding_label_zh,
    label_zh AS outcome_label_zh,
    name_en,
    sort_order::INTEGER AS sort_order
FROM {{ ref('code_labels') }}
WHERE dimension = 'review_litigation_cell'
ORDER BY sort_order
