"""The dbt project's data tests as Dagster asset checks: their specs and results.

One asset check per dbt data test, on the model it tests, never blocking (`check_spec`).
After `dbt build`, each test that ran gives a result (`check_results`): passed or not, with
dbt's status; a consistency check (a model of sql/models/checks/ with the `no_flags_raised`
test) also carries its flags' counts by severity and its five largest deviations, as a
Markdown table whose cells (text from the input) are escaped (`markdown_text`), and its
severity is WARN unless it raised a flag of severity error.
"""

import re
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DagsterDbtTranslator
from dagster_dbt.asset_utils import get_asset_check_key_for_test

#: The test that makes a consistency check (sql/models/checks/chk_*.sql) an asset check.
FLAGS_TEST = "no_flags_raised"
FLAGS_TABLE = "consistency_flags"


def check_spec(spec: dg.AssetCheckSpec, test: Mapping[str, Any]) -> dg.AssetCheckSpec:
    """The asset check of a dbt test (`test`: its manifest node), not blocking: a test of
    severity error that fails fails the whole step (no published warehouse), and a run with
    nothing new runs no test at all."""
    return dg.AssetCheckSpec(
        name=spec.name,
        asset=spec.asset_key,
        description=test.get("description") or spec.description,
        additional_deps=spec.additional_deps,
        metadata=spec.metadata,
        blocking=False,
    )


def generic_test(manifest: Mapping[str, Any], uid: str) -> str | None:
    """The name of the generic test a test node runs (`rows_match_source`, …), else None."""
    node = manifest["nodes"].get(uid, {})
    return (node.get("test_metadata") or {}).get("name")


def check_results(
    context: dg.AssetExecutionContext,
    con: duckdb.DuckDBPyConnection,
    statuses: Mapping[str, str],
    manifest: Mapping[str, Any],
    translator: DagsterDbtTranslator,
) -> Iterator[dg.AssetCheckResult]:
    """A result for every test the build ran (`statuses`: unique_id → dbt status) whose
    asset check the run selected; a consistency check's carries its flags."""
    wanted = context.selected_asset_check_keys
    for uid, status in sorted(statuses.items()):
        if not uid.startswith("test."):
            continue
        key = get_asset_check_key_for_test(manifest, translator, uid, None)
        if key is None or key not in wanted:
            continue
        passed = status == "pass"
        metadata: dict[str, Any] = {"dbt_status": status}
        severity = dg.AssetCheckSeverity.ERROR
        if generic_test(manifest, uid) == FLAGS_TEST:
            metadata.update(_flag_metadata(con, key.name))
            if "error_flags" not in metadata:
                severity = dg.AssetCheckSeverity.WARN
        elif status == "warn":
            severity = dg.AssetCheckSeverity.WARN
        yield dg.AssetCheckResult(
            asset_key=key.asset_key,
            check_name=key.name,
            passed=passed,
            severity=severity,
            metadata=metadata,
        )


def _flag_metadata(con: duckdb.DuckDBPyConnection, check: str) -> dict[str, Any]:
    """The flags' counts by severity and the five largest deviations (as the UI shows them)."""
    counts = con.execute(
        "SELECT severity, n_flags, n_reports FROM flags_by_check WHERE check_name = ?", [check]
    ).fetchall()
    worst = con.execute(
        f"""SELECT source_path, scope, expected, actual, detail FROM {FLAGS_TABLE}
            WHERE check_name = ?
            ORDER BY abs(coalesce(actual, 0) - coalesce(expected, 0)) DESC, source_path
            LIMIT 5""",
        [check],
    ).fetchall()
    metadata: dict[str, Any] = {}
    for severity, n_flags, n_reports in sorted(counts):
        metadata[f"{severity}_flags"] = n_flags
        metadata[f"{severity}_reports"] = n_reports
    metadata["worst"] = dg.MetadataValue.md(_table(worst)) if worst else "none"
    return metadata


def _table(rows: list[tuple]) -> str:
    """A Markdown table for the Dagster UI; cells (file names, parser reasons) are text from
    the input, so they are escaped: no link, image, HTML or table structure can come from them."""
    lines = ["| file | scope | expected | actual | detail |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(markdown_text(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


def markdown_text(value: object) -> str:
    """`value` as literal Markdown text on one line."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
