"""The pipeline's DuckDB connections (tidy step and SQL models): one configuration, and a
spill dir that is removed when the connection closes."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

#: DuckDB's memory per connection; beyond it, joins, aggregates and windows spill to disk
#: (without a limit the largest model, consistency_flags, peaks near 1 GB at 100k reports).
#: The process's RSS runs ~400 MB above the limit (DuckDB's allocations outside its buffer
#: pool), on top of the refresh's Python side (~550–620 MB at 100k: Dagster, dbt and what
#: the earlier steps' allocators keep). A full dbt build at 100k, alone in a process,
#: interleaved: 768 MB peaked at 1,198–1,219 MB RSS in 45.1–53.1 s, 512 MB at 961–974 MB in
#: 39.9–49.4 s (the host's noise; no slower). The refresh peaked within 11–63 MB of its
#: 1.5 GB target under 768 MB, so 512.
MEMORY_LIMIT = "512MB"
SPILL_DIR_NAME = ".duckdb-spill"


def connection_config(spill_dir: Path) -> dict[str, str | bool]:
    """Settings for a pipeline connection that spills to `spill_dir`.

    `preserve_insertion_order` off: a query without ORDER BY may return rows in any order
    (nothing in the warehouse promises row order; every mart that is ordered says ORDER BY).
    Measured at 100k reports, `CREATE TABLE applications_all_files` (16.8M rows from Parquet):
    16.3 s / 1,038 MB with it on, 9.7 s / 462 MB off (bench/out, machine loaded).
    """
    return {
        "memory_limit": MEMORY_LIMIT,
        "temp_directory": str(spill_dir),
        "preserve_insertion_order": False,
    }


@contextmanager
def connect(
    database: Path | None, spill_under: Path, read_only: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to `database` (None: in memory) that spills to a dir in `spill_under`
    (the snapshot being built); the dir is removed when the connection closes."""
    spill_dir = spill_under / SPILL_DIR_NAME
    con = duckdb.connect(
        ":memory:" if database is None else str(database),
        read_only=read_only,
        config=connection_config(spill_dir),
    )
    try:
        yield con
    finally:
        con.close()
        shutil.rmtree(spill_dir, ignore_errors=True)
