{#- The main figures of each report (every file's: applications_all_files, …), pivoted from
    its cells once, when the build that loads the report's facts runs (incremental by
    report_id, like the fact tables): agency_year_figures joins the standing reports to
    these rows instead of pivoting every cell of every report each refresh. -#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    pre_hook="{{ delete_reports_gone(ref('reports_all_files')) }}",
) }}
WITH app AS (
    SELECT
        report_id,
        max(value) FILTER (WHERE category = 'received.new' AND applicant_type = 'total') AS received_new,
        max(value) FILTER (WHERE category = 'received.new' AND applicant_type = 'natural_person')
            AS received_new_natural_person,
        sum(value) FILTER (WHERE category = 'received.new'
            AND applicant_type NOT IN ('natural_person', 'total'))::BIGINT AS received_new_organisations,
        max(value) FILTER (WHERE category = 'received.carried_over' AND applicant_type = 'total')
            AS received_carried_over,
        max(value) FILTER (WHERE category = 'result.granted' AND applicant_type = 'total') AS granted,
        max(value) FILTER (WHERE category = 'result.partially_granted' AND applicant_type = 'total')
            AS partially_granted,
        sum(value) FILTER (WHERE category LIKE 'result.denied.%' AND applicant_type = 'total')::BIGINT AS denied,
        sum(value) FILTER (WHERE category LIKE 'result.unable.%' AND applicant_type = 'total')::BIGINT AS unable,
        sum(value) FILTER (WHERE category LIKE 'result.not_processed.%' AND applicant_type = 'total')::BIGINT
            AS not_processed,
        -- (六)其他处理: its parts (2021) when printed, else the single row (2019, or a 2021
        -- report printing only the subtotal); never both (chk_other_subtotal compares them)
        coalesce(
            sum(value) FILTER (WHERE category LIKE 'result.other.%' AND applicant_type = 'total'),
            max(value) FILTER (WHERE category = 'result.other' AND applicant_type = 'total')
        )::BIGINT AS other_handling,
        -- each reason of (三)不予公开, (四)无法提供, (五)不予处理 (总计 column)
        max(value) FILTER (WHERE category = 'result.denied.state_secret' AND applicant_type = 'total')
            AS denied_state_secret,
        max(value) FILTER (WHERE category = 'result.denied.prohibited_by_law' AND applicant_type = 'total')
            AS denied_prohibited_by_law,
        max(value) FILTER (WHERE category = 'result.denied.security_stability' AND applicant_type = 'total')
            AS denied_security_stability,
        max(value) FILTER (WHERE category = 'result.denied.third_party_rights' AND applicant_type = 'total')
            AS denied_third_party_rights,
        max(value) FILTER (WHERE category = 'result.denied.internal_affairs' AND applicant_type = 'total')
            AS denied_internal_affairs,
        max(value) FILTER (WHERE category = 'result.denied.process_information' AND applicant_type = 'total')
            AS denied_process_information,
        max(value) FILTER (WHERE category = 'result.denied.enforcement_case_file' AND applicant_type = 'total')
            AS denied_enforcement_case_file,
        max(value) FILTER (WHERE category = 'result.denied.administrative_query' AND applicant_type = 'total')
            AS denied_administrative_query,
        max(value) FILTER (WHERE category = 'result.unable.not_held' AND applicant_type = 'total')
            AS unable_not_held,
        max(value) FILTER (WHERE category = 'result.unable.needs_creation' AND applicant_type = 'total')
            AS unable_needs_creation,
        max(value) FILTER (WHERE category = 'result.unable.unclear_after_correction' AND applicant_type = 'total')
            AS unable_unclear_after_correction,
        max(value) FILTER (WHERE category = 'result.not_processed.petition_complaint' AND applicant_type = 'total')
            AS not_processed_petition_complaint,
        max(value) FILTER (WHERE category = 'result.not_processed.duplicate_request' AND applicant_type = 'total')
            AS not_processed_duplicate_request,
        max(value) FILTER (WHERE category = 'result.not_processed.publication_request' AND applicant_type = 'total')
            AS not_processed_publication_request,
        max(value) FILTER (WHERE category = 'result.not_processed.excessive_requests' AND applicant_type = 'total')
            AS not_processed_excessive_requests,
        max(value) FILTER (WHERE category = 'result.not_processed.confirmation_request' AND applicant_type = 'total')
            AS not_processed_confirmation_request,
        max(value) FILTER (WHERE category = 'result.total' AND applicant_type = 'total') AS result_total,
        max(value) FILTER (WHERE category = 'carried_forward' AND applicant_type = 'total')
            AS carried_forward
    FROM {{ ref('applications_all_files') }}
    WHERE {{ loaded_by_this_build() }}
    GROUP BY report_id
),
rev AS (
    SELECT
        report_id,
        max(value) FILTER (WHERE proceeding = 'review' AND outcome = 'upheld') AS review_upheld,
        max(value) FILTER (WHERE proceeding = 'review' AND outcome = 'corrected') AS review_corrected,
        max(value) FILTER (WHERE proceeding = 'review' AND outcome = 'other') AS review_other,
        max(value) FILTER (WHERE proceeding = 'review' AND outcome = 'pending') AS review_pending,
        max(value) FILTER (WHERE proceeding = 'review' AND outcome = 'total') AS review_total,
        sum(value) FILTER (WHERE proceeding <> 'review' AND outcome = 'upheld')::BIGINT AS litigation_upheld,
        sum(value) FILTER (WHERE proceeding <> 'review' AND outcome = 'corrected')::BIGINT
            AS litigation_corrected,
        sum(value) FILTER (WHERE proceeding <> 'review' AND outcome = 'other')::BIGINT AS litigation_other,
        sum(value) FILTER (WHERE proceeding <> 'review' AND outcome = 'pending')::BIGINT AS litigation_pending,
        sum(value) FILTER (WHERE proceeding <> 'review' AND outcome = 'total')::BIGINT AS litigation_total
    FROM {{ ref('review_litigation_all_files') }}
    WHERE {{ loaded_by_this_build() }}
    GROUP BY report_id
),
-- 2021 `issued` (本年制发件数) and 2019 `made` (本年新制作数量) both count new documents.
dis AS (
    SELECT
        report_id,
        max(value) FILTER (WHERE item = 'regulation' AND measure IN ('issued', 'made')) AS regulations_new,
        max(value) FILTER (WHERE item = 'normative_document' AND measure IN ('issued', 'made'))
            AS normative_documents_new,
        max(value) FILTER (WHERE item = 'administrative_license' AND measure = 'decisions')
            AS license_decisions,
        max(value) FILTER (WHERE item = 'administrative_penalty' AND measure = 'decisions')
            AS penalty_decisions,
        max(value) FILTER (WHERE item = 'administrative_coercion' AND measure = 'decisions')
            AS coercion_decisions,
        max(value) FILTER (WHERE item = 'administrative_fee' AND measure = 'amount_10k_yuan')
            AS fee_amount_10k_yuan
    FROM {{ ref('active_disclosure_all_files') }}
    WHERE {{ loaded_by_this_build() }}
    GROUP BY report_id
),
-- every cell of the three tables (stg_cells): one row for each report with any fact
inferred AS (
    SELECT report_id, count(*) FILTER (WHERE method IS DISTINCT FROM 'label') AS n_figures_inferred
    FROM {{ ref('stg_cells') }}
    WHERE {{ loaded_by_this_build() }}
    GROUP BY report_id
)
SELECT
    inferred.report_id,
    app.* EXCLUDE (report_id),
    rev.* EXCLUDE (report_id),
    dis.* EXCLUDE (report_id),
    inferred.n_figures_inferred,
    -- the build that pivoted them
    {{ snapshot_id() }} AS snapshot_id
FROM inferred
LEFT JOIN app USING (report_id)
LEFT JOIN rev USING (report_id)
LEFT JOIN dis USING (report_id)
