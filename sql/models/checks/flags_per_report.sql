{{ config(materialized='table') }}
SELECT * EXCLUDE (snapshot_id) FROM {{ ref('flags_of_own_figures') }}
UNION ALL BY NAME SELECT * FROM {{ ref('chk_duplicate_agency_year') }}
UNION ALL BY NAME SELECT * FROM {{ ref('chk_not_parsed') }}
