"""Imported once per worker before any step: by the multiprocess executor's fork server
(its `preload_modules`; each step process forks from it) and by a Dask LocalCluster's
workers (`preload`). A step then starts with Dagster, pandas and DuckDB imported and the
refresh job built, instead of spending seconds on them first."""

# the instance's storage (SQLAlchemy, Alembic): each step opens the instance again
import dagster._core.storage.sqlite_storage  # noqa: F401
import duckdb  # noqa: F401
import pandas  # noqa: F401  (DuckDB imports it when it returns a result)
import pyarrow.parquet  # noqa: F401

from pipelines.fanout_run import refresh_job

refresh_job()
