SELECT
    split_part(code, '/', 1) AS item,
    split_part(code, '/', 2) AS measure,
    group_label_zh AS item_label_zh,
    label_zh AS measure_label_zh,
    name_en,
    formats,
    sort_order::INTEGER AS sort_order
FROM {{ ref('code_labels') }}
WHERE dimension = 'active_disclosure_cell'
ORDER BY sort_order
