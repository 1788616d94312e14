"""The last step of a refresh: readers switch to the run's snapshot in one rename.

It depends on every other asset, so it runs only when all of them succeeded; a run that
fails or is killed earlier leaves the published warehouse as it was. A run that does not
build all of them (a subset materialised in the UI, a re-execution from a failed step)
does not publish: its snapshot would hold new files beside old ones.
"""

import dagster as dg

from pipelines.core import code_key
from pipelines.core.paths import TIDY_ASSETS
from pipelines.core.snapshots import publish
from pipelines.core.unmanaged import drop_unmanaged
from pipelines.defs.dbt import RELATION_NAMES, sql_models
from pipelines.defs.resources import Warehouse
from pipelines.executors import DUCKDB_STEP

GROUP = "publish"


#: What a published warehouse is made of: every other asset.
PUBLISHES = [
    dg.AssetKey(name)
    for name in (
        "raw_manifest",
        "parsed_reports",
        *TIDY_ASSETS,
        "agencies",
    )
] + sorted(sql_models.keys, key=lambda key: key.to_user_string())


@dg.asset(
    name="published_warehouse",
    group_name=GROUP,
    deps=PUBLISHES,
    kinds={"duckdb", "parquet"},
    op_tags=DUCKDB_STEP,
)
def published_warehouse(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> dg.MaterializeResult:
    """Switches `current` to this run's snapshot; the previous one is kept, older ones removed."""
    unbuilt = _not_built_by(context)
    if unbuilt:  # a subset run would publish its new files beside the old rest
        raise dg.Failure(
            "published_warehouse publishes only a warehouse this run built whole; this run "
            f"does not build {', '.join(unbuilt)}. Materialize all assets (the refresh job); "
            "the published warehouse is unchanged"
        )
    # the snapshot holds exactly the models and seeds of sql/: none renamed or removed
    # since, and nothing else that came with the copy of the published database
    with warehouse.connect() as con:
        dropped = drop_unmanaged(con, RELATION_NAMES)
    if dropped:
        context.log.info(f"dropped from the database (not made by sql/): {', '.join(dropped)}")
    layout = warehouse.layout
    snapshot = warehouse.build().root
    warehouse.close_connection()  # (the database file complete before readers see it)
    if not code_key.forget_unless_current(snapshot):  # (recorded by raw_manifest)
        context.log.warning(
            "the code changed during the run: the snapshot keeps no code key, so the next "
            "refresh runs the job"
        )
    previous = publish(layout, warehouse.run_id)
    return dg.MaterializeResult(
        metadata={
            "dropped": ", ".join(dropped),
            "snapshot": str(snapshot),
            "previous": str(previous) if previous else "",
            "warehouse": str(layout.duckdb),
        }
    )


def _not_built_by(context: dg.AssetExecutionContext) -> list[str]:
    """What this run does not build of what it would publish: the assets outside a subset
    selection, or the steps a re-execution (from a failed step) does not run again."""
    run = context.run
    if run.asset_selection:  # (empty, or None, for a run of the whole job)
        return sorted(k.to_user_string() for k in PUBLISHES if k not in run.asset_selection)
    if run.step_keys_to_execute is not None:
        # a step key is its op's path (`parsed_reports.plan_parse` inside a graph asset),
        # a mapped step's with `[<mapping key>]` (the parse shards): every op must run
        ran = {key.split("[", 1)[0] for key in run.step_keys_to_execute}
        nodes = {str(h) for h in context.job_def.graph.iterate_node_handles()}
        ops = {n for n in nodes if not any(o.startswith(f"{n}.") for o in nodes)}
        return sorted({op.split(".", 1)[0] for op in ops - ran})
    return []
