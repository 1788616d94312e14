{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_reports_gone(source('govreports', 'review_litigation')) }}",
) }}
SELECT
    *,
    -- the build that loaded the report's rows (tests and per-report models check those)
    {{ snapshot_id() }} AS snapshot_id
FROM {{ source('govreports', 'review_litigation') }}
{% if is_incremental() %}
-- the reports not in the table yet (those gone from the file were deleted by the pre-hook)
WHERE report_id NOT IN (SELECT DISTINCT report_id FROM {{ this }})
{% endif %}
