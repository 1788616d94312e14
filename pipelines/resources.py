"""Dagster resources: the raw dir and the warehouse (its files and its DuckDB database).

Each path is, in order: the resource's config (the CLI's --raw-dir/--warehouse-dir), the
environment (GOVREPORTS_RAW_DIR / GOVREPORTS_WAREHOUSE_DIR), the default relative to the
working directory (data/raw, data/warehouse).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb

from pipelines.paths import (
    DEFAULT_RAW_DIR,
    DEFAULT_WAREHOUSE_DIR,
    RAW_DIR_ENV,
    WAREHOUSE_DIR_ENV,
    WarehouseLayout,
    resolve_dir,
)


class RawDir(dg.ConfigurableResource):
    """The folder tree of scraped reports; every file in it is one report."""

    path: str | None = None

    @property
    def root(self) -> Path:
        return resolve_dir(self.path, RAW_DIR_ENV, DEFAULT_RAW_DIR)


class Warehouse(dg.ConfigurableResource):
    """The output folder: tidy Parquet, parse cache, warehouse.duckdb and marts/."""

    path: str | None = None

    @property
    def layout(self) -> WarehouseLayout:
        return WarehouseLayout(resolve_dir(self.path, WAREHOUSE_DIR_ENV, DEFAULT_WAREHOUSE_DIR))

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        layout = self.layout
        layout.root.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(layout.duckdb), read_only=read_only)
        try:
            yield con
        finally:
            con.close()
