"""The resources every asset shares (the raw dir; the warehouse: its files and its DuckDB
database), and the executor.

Each path is, in order: the resource's config (the CLI's --raw-dir/--warehouse-dir), the
environment (GOVREPORTS_RAW_DIR / GOVREPORTS_WAREHOUSE_DIR), the default relative to the
working directory (data/raw, data/warehouse).

A run holds the warehouse's writer lock from its start to its end, and writes only into
its own snapshot (`Warehouse.build`), which the `publish` asset switches readers to at the
end. Under the in-process executor the resource takes the lock (in the run's process);
under an executor that runs steps in other processes the orchestrating process holds it
for the run (`pipelines.executors`), and each step's resource checks that it does.

The executor is chosen per run (`pipelines.executors`): in-process by default (every step
in the run's process, as `govreports refresh` runs it), or the multiprocess or Dask
executor, which spread the parse shards over processes or machines. DuckDB allows one
writer per database file: on those, the steps that open it run one at a time (dagster.yaml
also allows one run at a time).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from pipelines.core import duckdb_config, snapshots, writer_lock
from pipelines.core.paths import (
    DEFAULT_RAW_DIR,
    DEFAULT_WAREHOUSE_DIR,
    RAW_DIR_ENV,
    WAREHOUSE_DIR_ENV,
    WarehouseFiles,
    WarehouseLayout,
    resolve_dir,
)
from pipelines.executors import executor_kind, refresh_executor


class RawDir(dg.ConfigurableResource):
    """The folder tree of scraped reports; every file in it is one report."""

    path: str | None = None

    @property
    def root(self) -> Path:
        return resolve_dir(self.path, RAW_DIR_ENV, DEFAULT_RAW_DIR)


class Warehouse(dg.ConfigurableResource):
    """The output folder: published links, snapshots, the parse cache and the writer lock."""

    path: str | None = None
    _run_id: str | None = PrivateAttr(default=None)
    _lock: writer_lock.WriterLock | None = PrivateAttr(default=None)
    _connection: duckdb.DuckDBPyConnection | None = PrivateAttr(default=None)
    _connection_closer: AbstractContextManager | None = PrivateAttr(default=None)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        from pipelines.core import warehouse_guard

        layout = self.layout
        # the raw dir this run reads: the raw_dir resource's config in the run config (the
        # CLI's --raw-dir), else the environment or the default, as `RawDir.root` resolves it
        run_config = (context.run.run_config if context.run else None) or {}
        raw_root, _ = run_dirs(run_config)
        problem = warehouse_guard.check_dirs(raw_root, layout.root)
        if problem:
            raise dg.Failure(problem)
        run_id = context.run.run_id if context.run else None
        try:
            warehouse_guard.check_layout(layout)  # before the lock: it creates refresh.lock
            if run_id is None or executor_kind(run_config) == "in_process":
                self._lock = writer_lock.acquire(layout.lock, run_id)
            else:  # a step process: the run's orchestrating process holds the lock
                self._lock = writer_lock.join_run(layout.lock, run_id)
        except (
            writer_lock.WarehouseBusy,
            writer_lock.RunLockLost,
            warehouse_guard.WarehouseLayoutError,
        ) as exc:
            raise dg.Failure(str(exc)) from None
        if self._lock.stale_holder and context.log:
            context.log.warning(
                f"a previous refresh did not finish ({self._lock.stale_holder}); "
                "its partial snapshot is discarded"
            )
        self._run_id = run_id

    def teardown_after_execution(self, context: dg.InitResourceContext) -> None:
        self.close_connection()
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @property
    def layout(self) -> WarehouseLayout:
        return WarehouseLayout(resolve_dir(self.path, WAREHOUSE_DIR_ENV, DEFAULT_WAREHOUSE_DIR))

    @property
    def run_id(self) -> str:
        if self._run_id is None:
            raise RuntimeError("the warehouse resource is used outside a run")
        return self._run_id

    def build(self) -> WarehouseFiles:
        """This run's snapshot (a copy of the published warehouse until the run rewrites it)."""
        return snapshots.start(self.layout, self.run_id)

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        """The DuckDB database of this run's snapshot, with a memory limit beyond which joins,
        aggregates and windows spill to a temporary dir in the snapshot (removed after).

        One connection serves every step of the run in this process (opening the database
        costs ~25 ms and a refresh builds ~30 models); it is closed before the snapshot is
        published (`close_connection`) and when the run ends. A step that fails inside it
        closes it (the next step opens a fresh one). `read_only` asks for a connection that
        cannot write: the run's own one when it is open, else a read-only one of its own."""
        if self._connection is None and read_only:
            files = self.build()
            with duckdb_config.connect(files.duckdb, files.root, read_only=True) as con:
                yield con
            return
        if self._connection is None:
            files = self.build()
            self._connection_closer = duckdb_config.connect(files.duckdb, files.root)
            self._connection = self._connection_closer.__enter__()
        try:
            yield self._connection
        except BaseException:
            self.close_connection()
            raise

    def close_connection(self) -> None:
        """Close this run's connection (checkpointing the database into its file)."""
        closer, self._connection, self._connection_closer = self._connection_closer, None, None
        if closer is not None:
            closer.__exit__(None, None, None)


def run_dirs(run_config: dict | None) -> tuple[Path, WarehouseLayout]:
    """(raw dir, warehouse layout) of a run, from its resources' config (else the
    environment, else the defaults), as the two resources resolve them."""
    resources = (run_config or {}).get("resources") or {}
    raw = (resources.get("raw_dir") or {}).get("config") or {}
    warehouse = (resources.get("warehouse") or {}).get("config") or {}
    return RawDir(path=raw.get("path")).root, Warehouse(path=warehouse.get("path")).layout


@dg.definitions
def resources() -> dg.Definitions:
    return dg.Definitions(
        resources={"raw_dir": RawDir(), "warehouse": Warehouse()},
        executor=refresh_executor,
    )
