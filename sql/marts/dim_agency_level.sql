-- Agency levels (`level` of stg_agencies and the marts): a Chinese label, an English name
-- and an order from the province down. From sql/seeds/code_labels.csv.
SELECT
    code AS level,
    label_zh,
    name_en,
    sort_order::INTEGER AS sort_order
FROM code_labels
WHERE dimension = 'agency_level'
ORDER BY sort_order
