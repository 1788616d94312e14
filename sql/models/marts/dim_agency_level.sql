SELECT
    code AS level,
    label_zh,
    name_en,
    sort_order::INTEGER AS sort_order
FROM {{ ref('code_labels') }}
WHERE dimension = 'agency_level'
ORDER BY sort_order
