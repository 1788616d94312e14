{#- What a check of "the parts add up to the printed total" reads, per group of a fact table
    (a row of table 3, a proceeding of table 4): `group_col` names the group, `part_col` the
    cell within it, whose value 'total' is the group's printed total. One row per report and
    group: how many total cells (n_total_cells) and parts with a figure (n_parts) it has, the
    printed total (0 when blank, total_blank then true) and the parts' sum, the least sure
    cell (`least_sure_cell`) and where the total is printed (line, page). -#}
{% macro parts_and_total(relation, group_col, part_col) -%}
    SELECT
        report_id,
        snapshot_id,
        {{ group_col }},
        count(*) FILTER (WHERE {{ part_col }} = 'total') AS n_total_cells,
        count(value) FILTER (WHERE {{ part_col }} <> 'total') AS n_parts,
        coalesce(max(value) FILTER (WHERE {{ part_col }} = 'total'), 0) AS printed,
        bool_or(value IS NULL) FILTER (WHERE {{ part_col }} = 'total') AS total_blank,
        coalesce(sum(value) FILTER (WHERE {{ part_col }} <> 'total'), 0) AS summed,
        {{ least_sure_cell(group_col ~ " || '/' || " ~ part_col) }},
        max(line) FILTER (WHERE {{ part_col }} = 'total') AS line,
        max(page) FILTER (WHERE {{ part_col }} = 'total') AS page
    FROM {{ relation }}
    GROUP BY report_id, snapshot_id, {{ group_col }}
{%- endmacro %}
