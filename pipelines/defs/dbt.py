"""The dbt project in `sql/` as Dagster assets (dagster-dbt): one asset per model and seed,
with exact `ref()`/`source()` lineage, one asset check per dbt data test.

The step runs `dbt build` in this process on the run's snapshot (`pipelines.core.dbt_project`),
as much of it as `pipelines.core.dbt_build.plan` says, then writes the marts' Parquet files
(`pipelines.core.mart_export`) and yields a materialization for every model and seed
(`rebuilt`: whether this run built it; the database copied from the published snapshot
holds the others as they were) and a check result for every test that ran (the tests as
asset checks: `pipelines.defs.checks`). Metadata paths name the published files.
"""

import json
import os
import shutil
from collections.abc import Iterator, Mapping
from graphlib import TopologicalSorter
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, dbt_assets

from pipelines.core import dbt_build, dbt_project, mart_export
from pipelines.core.faults import checkpoint
from pipelines.core.tables import sql_identifier
from pipelines.defs import checks
from pipelines.defs.resources import Warehouse
from pipelines.executors import DUCKDB_STEP

MANIFEST_PATH = dbt_project.manifest_path()
MANIFEST: dict[str, Any] = json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))


class Translator(DagsterDbtTranslator):
    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        """The folder: staging, checks, marts (seeds: seeds)."""
        if dbt_resource_props["resource_type"] == "seed":
            return "seeds"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else None

    def get_asset_check_spec(self, asset_spec, manifest, unique_id, project):
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        return None if spec is None else checks.check_spec(spec, manifest["nodes"][unique_id])


TRANSLATOR = Translator()


def relations() -> dict[str, dict[str, Any]]:
    """unique_id → node, for every model and seed (what the database holds)."""
    return {
        uid: node
        for uid, node in MANIFEST["nodes"].items()
        if node["resource_type"] in ("model", "seed")
    }


def relation_name(node: Mapping[str, Any]) -> str:
    return node.get("alias") or node["name"]


def exported(node: Mapping[str, Any]) -> bool:
    """A table of marts/ whose meta says export (marts/<name>.parquet)."""
    config = node.get("config", {})
    return bool(config.get("meta", {}).get("export")) and config.get("materialized") in (
        "table",
        "incremental",
    )


def is_table(node: Mapping[str, Any]) -> bool:
    return node["resource_type"] == "seed" or node["config"].get("materialized") in (
        "table",
        "incremental",
    )


#: Every model and seed name: what the published database holds (publish drops the rest).
RELATION_NAMES = frozenset(relation_name(n) for n in relations().values())
#: Models and seeds, each after those it reads (the order Dagster takes their results in).
TOPOLOGICAL = tuple(
    TopologicalSorter(
        {
            uid: set(n.get("depends_on", {}).get("nodes", [])) & set(relations())
            for uid, n in relations().items()
        }
    ).static_order()
)


@dbt_assets(
    manifest=MANIFEST, dagster_dbt_translator=TRANSLATOR, name="sql_models", op_tags=DUCKDB_STEP
)
def sql_models(context: dg.AssetExecutionContext, warehouse: Warehouse) -> Iterator[Any]:
    """`dbt build` in the run's snapshot (as much as has to be), then the marts' Parquet
    files, the docs."""
    files = warehouse.build()
    nodes = relations()
    key_of = {uid: TRANSLATOR.get_asset_spec(MANIFEST, uid, None).key for uid in nodes}
    selected = {uid for uid, key in key_of.items() if key in context.selected_asset_keys}
    with warehouse.connect() as con:
        present = {
            name
            for (name,) in con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_catalog = current_database() AND table_schema = 'main'"
            ).fetchall()
        }
    warehouse.close_connection()  # dbt opens the file next
    exports = {relation_name(n) for n in nodes.values() if exported(n)}
    project = dbt_project.project_key()
    now = dbt_build.current_inputs(files, project)
    plan = dbt_build.plan(
        dbt_build.recorded_inputs(files),
        now,
        {relation_name(nodes[uid]) for uid in selected} - present,
        dbt_build.missing_exports(files, exports),
    )
    if selected != set(nodes):  # a subset run: only what it selected
        names = sorted(relation_name(nodes[uid]) for uid in selected)
        plan = dbt_build.Plan(tuple(names), False, "the run's selection")
    if plan.nothing:
        context.log.info(f"dbt not called ({plan.why})")
        statuses = _Statuses()
    else:
        context.log.info(f"dbt {' '.join(plan.args())} ({plan.why})")
        statuses = _build(files, plan, context)
    built = {
        uid for uid, status in statuses.items() if uid in nodes and status in ("success", "pass")
    }
    checkpoint("dbt:built")
    metadata: dict[str, dict[str, Any]] = {uid: {} for uid in selected}
    with warehouse.connect() as con:
        for uid in selected:
            node = nodes[uid]
            name = relation_name(node)
            meta = metadata[uid]
            meta["materialized"] = node["config"].get("materialized", "seed")
            meta["rebuilt"] = uid in built
            if node["config"].get("materialized") == "incremental" and uid in built:
                meta["how"] = "full" if plan.full_refresh or uid in statuses.full else "incremental"
            if is_table(node):
                meta["rows"] = con.execute(
                    f"SELECT count(*) FROM {sql_identifier(name)}"
                ).fetchone()[0]
            if exported(node):
                path = dbt_build.mart_path(files, name)
                if uid in built or not path.is_file():
                    columns = {c: v.get("description") or "" for c, v in node["columns"].items()}
                    mart_export.export(con, name, path, columns, node.get("description"))
                meta["parquet"] = str(warehouse.layout.marts / f"{name}.parquet")
        check_results = list(checks.check_results(context, con, statuses, MANIFEST, TRANSLATOR))
        docs = dbt_build.docs_key(con, project) if selected == set(nodes) else None
    if selected == set(nodes):  # (what the database holds now was built from `now`)
        if docs != dbt_build.recorded_docs(files) or not files.docs.is_file():
            warehouse.close_connection()  # dbt opens the file to read its catalog
            _generate_docs(files)
        dbt_build.record(files, now, docs)
    shutil.rmtree(files.root / dbt_project.RUN_TARGET_NAME, ignore_errors=True)
    for uid in TOPOLOGICAL:
        if uid not in selected:
            continue
        yield dg.MaterializeResult(asset_key=key_of[uid], metadata=metadata[uid])
    yield from check_results


class _Statuses(dict):
    """unique_id → dbt status of every node a build ran; `full`: incremental models that a
    fallback rebuilt in full."""

    def __init__(self) -> None:
        super().__init__()
        self.full: set[str] = set()


def _build(files, plan: dbt_build.Plan, context) -> _Statuses:
    statuses = _Statuses()

    def on_event(event) -> None:
        if event.info.name == "NodeFinished":
            node = event.data.node_info
            if node.resource_type == "model" and node.node_status == "success":
                checkpoint(f"model:{node.node_name}")

    result = dbt_project.run(plan.args(), files, [on_event])
    statuses.update(_statuses(result))
    # an incremental table whose rows do not add up to its source's: rebuilt in full
    mismatched = [
        uid
        for uid, status in statuses.items()
        if status == "fail" and checks.generic_test(MANIFEST, uid) == "rows_match_source"
    ]
    if mismatched:
        models = sorted({_attached(uid) for uid in mismatched})
        names = [MANIFEST["nodes"][m]["name"] for m in models]
        context.log.warning(
            f"rows do not add up to their source's: {', '.join(names)}; rebuilt in full"
        )
        retry = dbt_build.Plan(tuple(f"{n}+" for n in names), True, "rows do not add up")
        result = dbt_project.run(retry.args(), files, [on_event])
        statuses.update(_statuses(result))
        statuses.full.update(models)
    if not result.success or any(s in ("error", "fail", "skipped") for s in statuses.values()):
        raise dg.Failure(f"dbt build failed: {dbt_project.failure_text(result)}")
    return statuses


def _generate_docs(files) -> None:
    """`dbt docs generate --static` on the snapshot: one HTML file holding the manifest and
    the catalog (every model, column and test, with the lineage), published as
    docs/index.html. No compile: dbt reuses the manifest."""
    target = files.root / dbt_project.RUN_TARGET_NAME
    target.mkdir(exist_ok=True)  # (--no-compile reads the manifest there: the parsed one)
    shutil.copyfile(MANIFEST_PATH, target / "manifest.json")
    result = dbt_project.run(["docs", "generate", "--static", "--no-compile"], files)
    if not result.success:
        raise dg.Failure(f"dbt docs generate failed: {dbt_project.failure_text(result)}")
    page = files.root / dbt_project.RUN_TARGET_NAME / "static_index.html"
    files.docs.parent.mkdir(exist_ok=True)
    tmp = files.docs.with_name(f".{files.docs.name}.tmp")
    shutil.copyfile(page, tmp)
    os.replace(tmp, files.docs)
    checkpoint("dbt:docs")


def _statuses(result) -> dict[str, str]:
    if result.result is None:
        raise dg.Failure(f"dbt build failed: {dbt_project.failure_text(result)}")
    return {r.node.unique_id: str(r.status) for r in result.result.results}


def _attached(test_uid: str) -> str:
    return MANIFEST["nodes"][test_uid]["attached_node"]
