"""The last step of a refresh: readers switch to the run's snapshot in one rename.

It depends on every other asset, so it runs only when all of them succeeded; a run that
fails or is killed earlier leaves the published warehouse as it was.
"""

import dagster as dg

from pipelines.defs.ingest import agencies, parsed_reports, raw_manifest
from pipelines.defs.sql_models import MODELS
from pipelines.paths import TIDY_TABLES
from pipelines.resources import Warehouse
from pipelines.snapshots import publish

GROUP = "publish"


@dg.asset(
    name="published_warehouse",
    group_name=GROUP,
    deps=[raw_manifest, parsed_reports, *TIDY_TABLES, agencies, *(m.name for m in MODELS)],
    kinds={"duckdb", "parquet"},
)
def published_warehouse(warehouse: Warehouse) -> dg.MaterializeResult:
    """Switches `current` to this run's snapshot; the previous one is kept, older ones removed."""
    layout = warehouse.layout
    snapshot = warehouse.build().root
    previous = publish(layout, warehouse.run_id)
    return dg.MaterializeResult(
        metadata={
            "snapshot": str(snapshot),
            "previous": str(previous) if previous else "",
            "warehouse": str(layout.duckdb),
        }
    )
