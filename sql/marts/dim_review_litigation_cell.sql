-- Table 4's cells: every (proceeding, outcome) of `review_litigation` with its printed
-- labels (行政复议 / 行政诉讼 未经复议直接起诉 / 复议后起诉 × 结果维持, 结果纠正, 其他结果,
-- 尚未审结, 总计), an English name and its place on the form. From sql/seeds/code_labels.csv.
SELECT
    split_part(code, '/', 1) AS proceeding,
    split_part(code, '/', 2) AS outcome,
    group_label_zh AS proceeding_label_zh,
    label_zh AS outcome_label_zh,
    name_en,
    sort_order::INTEGER AS sort_order
FROM code_labels
WHERE dimension = 'review_litigation_cell'
ORDER BY sort_order
