{#- What an identity flag adds when figures of it were read by OCR: the least sure cell and
    its confidence (a misread digit is the likely cause); nothing for figures read from text. -#}
{% macro ocr_note(cell, confidence) -%}
    CASE WHEN {{ cell }} IS NULL THEN '' ELSE format(
        '; figures read by OCR: least sure cell {} (confidence {:.3f}), a misread is likely',
        {{ cell }}, {{ confidence }}) END
{%- endmacro %}
