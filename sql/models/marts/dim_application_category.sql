SELECT
    code AS category,
    label_zh,
    group_label_zh,
    name_en,
    formats,
    sort_order::INTEGER AS sort_order
FROM {{ ref('code_labels') }}
WHERE dimension = 'application_category'
ORDER BY sort_order
