-- Table 2's cells: every (item, measure) of `active_disclosure` with the printed row
-- (item_label_zh, with its 第二十条 block) and column (measure_label_zh) labels, an English
-- name, the forms that print it (`formats`) and its place on the form. From
-- sql/seeds/code_labels.csv.
SELECT
    split_part(code, '/', 1) AS item,
    split_part(code, '/', 2) AS measure,
    group_label_zh AS item_label_zh,
    label_zh AS measure_label_zh,
    name_en,
    formats,
    sort_order::INTEGER AS sort_order
FROM code_labels
WHERE dimension = 'active_disclosure_cell'
ORDER BY sort_order
