{{ config(materialized='table') }}
SELECT
    *,
    nullif(regexp_replace(agency, '[\s\x{3000}]+', '', 'g'), '') AS agency_key
FROM {{ source('govreports', 'reports') }}
