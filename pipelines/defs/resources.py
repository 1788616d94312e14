"""Resources shared by every asset, and the executor.

The executor is chosen per run (`pipelines.executors`): in-process by default (every step
in the run's process, as `govreports refresh` runs it), or the multiprocess or Dask
executor, which spread the parse shards over processes or machines. DuckDB allows one
writer per database file: on those, the steps that open it run one at a time (dagster.yaml
also allows one run at a time).
"""

import dagster as dg

from pipelines.executors import refresh_executor
from pipelines.resources import RawDir, Warehouse


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={"raw_dir": RawDir(), "warehouse": Warehouse()},
        executor=refresh_executor,
    )
