"""One asset per `sql/` file (code version = file hash), and asset checks over the flags.

Models are built in the run's snapshot database; metadata paths name the published files.
"""

import re

import dagster as dg

from pipelines.executors import DUCKDB_STEP
from pipelines.faults import checkpoint
from pipelines.paths import SQL_DIR, TIDY_TABLES, tidy_asset
from pipelines.resources import Warehouse
from pipelines.sqlmodels import (
    SqlModel,
    build,
    discover,
    input_fingerprint,
    is_current,
    row_count,
    rows_generation,
)

MODELS = discover(SQL_DIR)
BY_NAME = {m.name: m for m in MODELS}
#: Python assets whose files SQL may read (by name: `{{warehouse_dir}}/<name>.parquet`).
UPSTREAM = {"raw_manifest", "agencies", *TIDY_TABLES}
#: The Dagster asset that writes each upstream file.
UPSTREAM_ASSETS = {
    "raw_manifest": "raw_manifest",
    "agencies": "agencies",
    **{t: tidy_asset(t) for t in TIDY_TABLES},
}
FLAGS_TABLE = "consistency_flags"
CHECK_PREFIX = "chk_"


def sql_asset(model: SqlModel, names: set[str]) -> dg.AssetsDefinition:
    reads = sorted(UPSTREAM_ASSETS.get(t, t) for t in model.reads)

    @dg.asset(
        name=model.name,
        group_name=model.folder,
        deps=sorted(model.references(names)) + reads,
        code_version=model.code_version,
        description=model.description or None,
        kinds={"duckdb", "sql"},
        metadata={"sql_file": str(model.path.relative_to(SQL_DIR.parent))},
        op_tags=DUCKDB_STEP,
    )
    def _build(warehouse: Warehouse) -> dg.MaterializeResult:
        files = warehouse.build()
        inputs = input_fingerprint(model, BY_NAME, UPSTREAM, files)
        generation = rows_generation(model, files)
        with warehouse.connect() as con:
            rebuilt = not is_current(con, model, files, inputs)
            if rebuilt:
                rows, how = build(con, model, files, inputs, generation)
            else:
                rows, how = row_count(con, model), "skipped"
        checkpoint(f"model:{model.name}")
        metadata = {"materialized": model.materialized, "rebuilt": rebuilt, "how": how}
        if rows is not None:
            metadata["rows"] = rows
        if model.exported:
            metadata["parquet"] = str(warehouse.layout.marts / f"{model.name}.parquet")
        return dg.MaterializeResult(metadata=metadata)

    return _build


CHECKS = [m for m in MODELS if m.folder == "checks" and m.name.startswith(CHECK_PREFIX)]


@dg.multi_asset_check(
    op_tags=DUCKDB_STEP,
    specs=[
        dg.AssetCheckSpec(
            m.name.removeprefix(CHECK_PREFIX),
            asset=FLAGS_TABLE,
            additional_deps=["flags_by_check"],
            description=m.description or None,
        )
        for m in CHECKS
    ],
)
def consistency_checks(warehouse: Warehouse):
    """Each check passes when it raised no error or warning flag (info flags are counted)."""
    with warehouse.connect(read_only=True) as con:
        counts = {}
        for check, severity, n_flags, n_reports in con.execute(
            "SELECT check_name, severity, n_flags, n_reports FROM flags_by_check"
        ).fetchall():
            counts.setdefault(check, {})[severity] = (n_flags, n_reports)
        for model in CHECKS:
            check = model.name.removeprefix(CHECK_PREFIX)
            worst = con.execute(
                f"""SELECT source_path, scope, expected, actual, detail FROM {FLAGS_TABLE}
                    WHERE check_name = ?
                    ORDER BY abs(coalesce(actual, 0) - coalesce(expected, 0)) DESC, source_path
                    LIMIT 5""",
                [check],
            ).fetchall()
            by_severity = counts.get(check, {})
            failing = {s: v for s, v in by_severity.items() if s in ("error", "warning")}
            yield dg.AssetCheckResult(
                check_name=check,
                asset_key=FLAGS_TABLE,
                passed=not failing,
                severity=dg.AssetCheckSeverity.ERROR
                if "error" in by_severity
                else dg.AssetCheckSeverity.WARN,
                metadata={
                    **{f"{s}_flags": n for s, (n, _) in sorted(by_severity.items())},
                    **{f"{s}_reports": r for s, (_, r) in sorted(by_severity.items())},
                    "worst": dg.MetadataValue.md(_table(worst)) if worst else "none",
                },
            )


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


@dg.definitions
def sql_defs() -> dg.Definitions:
    names = {m.name for m in MODELS}
    return dg.Definitions(
        assets=[sql_asset(m, names) for m in MODELS], asset_checks=[consistency_checks]
    )
