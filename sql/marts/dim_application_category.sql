-- Table 3's rows: every `category` code of `applications` with the label printed on the
-- statutory form (label_zh; group_label_zh: the block it is printed under), an English
-- name, the forms that print it (`formats`: 2019, 2021) and its place on the form. From
-- the code list shipped in the repository (sql/seeds/code_labels.csv).
SELECT
    code AS category,
    label_zh,
    group_label_zh,
    name_en,
    formats,
    sort_order::INTEGER AS sort_order
FROM code_labels
WHERE dimension = 'application_category'
ORDER BY sort_order
