SELECT
    code AS applicant_type,
    label_zh,
    nullif(group_label_zh, '') AS group_label_zh,
    name_en,
    sort_order::INTEGER AS sort_order
FROM {{ ref('code_labels') }}
WHERE dimension = 'applicant_type'
ORDER BY sort_order
