{{ config(materialized='table') }}
SELECT * FROM {{ ref('chk_balance_identity') }}
UNION ALL BY NAME SELECT * FROM {{ ref('chk_result_total') }}
UNION ALL BY NAME SELECT * FROM {{ ref('chk_other_subtotal') }}
UNION ALL BY NAME SELECT * FROM {{ ref('chk_row_total') }}
UNION ALL BY NAME SELECT * FROM {{ ref('chk_review_total') }}
UNION ALL BY NAME SELECT * FROM {{ ref('chk_narrative') }}
UNION ALL BY NAME SELECT * FROM {{ ref('chk_duplicate_agency_year') }}
UNION ALL BY NAME SELECT * FROM {{ ref('chk_blank_cells') }}
UNION ALL BY NAME SELECT * FROM {{ ref('chk_inferred_figures') }}
UNION ALL BY NAME SELECT * FROM {{ ref('chk_not_parsed') }}
