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
#: At 100k reports, building consistency_flags, mart_agency_year and applications_all_files under
#: 768 MB takes as long as under 1 GB (15.3 vs 15.1 s) and peaks 150 MB lower (945 MB RSS):
#: room under the 1.5 GB the whole refresh must stay within (its Python side is ~400 MB).
MEMORY_LIMIT = "768MB"
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
