{{ config(materialized='table') }}
SELECT *
FROM {{ source('govreports', 'raw_manifest') }}
