{#- Identity flags on figures read by OCR: `least_sure_cell(cell)` among a check's aggregates
    makes the columns `ocr_confidence` and `ocr_cell` (the least sure cell of the identity,
    `cell` naming it); `ocr_note()` in its detail adds them to the text (a misread digit is
    the likely cause), and nothing for figures read from text (null confidence). -#}
{% macro least_sure_cell(cell) -%}
    min(confidence) AS ocr_confidence,
        arg_min({{ cell }}, confidence) AS ocr_cell
{%- endmacro %}

{% macro ocr_note() -%}
    CASE WHEN ocr_cell IS NULL THEN '' ELSE format(
        '; figures read by OCR: least sure cell {} (confidence {:.3f}), a misread is likely',
        ocr_cell, ocr_confidence) END
{%- endmacro %}
