{#- A total cell as a flag's text says it: its figure, or that it was printed blank (the sums
    count a blank as 0, the text should not pretend 0 was printed). -#}
{% macro printed_total(printed, blank) -%}
    CASE WHEN {{ blank }} THEN 'blank (counted as 0)' ELSE {{ printed }}::VARCHAR END
{%- endmacro %}
