-- Table 3's columns: every `applicant_type` code of `applications` with its printed label
-- (自然人, 商业企业, …; group_label_zh 法人或其他组织 for the five organisation columns), an
-- English name and its place on the form. From sql/seeds/code_labels.csv.
SELECT
    code AS applicant_type,
    label_zh,
    nullif(group_label_zh, '') AS group_label_zh,
    name_en,
    sort_order::INTEGER AS sort_order
FROM code_labels
WHERE dimension = 'applicant_type'
ORDER BY sort_order
