"""Resources shared by every asset, and the executor.

In-process execution: DuckDB allows one writer per database file, so the steps of a run
must not run in parallel processes (dagster.yaml also allows one run at a time).
"""

import dagster as dg

from pipelines.resources import RawDir, Warehouse


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={"raw_dir": RawDir(), "warehouse": Warehouse()},
        executor=dg.in_process_executor,
    )
