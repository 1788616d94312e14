"""Where the pipeline reads and writes: raw dir, warehouse dir and the files inside it.

Plain functions and dataclasses (no Dagster), so the CLI can check paths before it
imports Dagster at all.

The warehouse dir holds links that readers open (`warehouse.duckdb`, `reports.parquet`, …,
`marts/`), each pointing into `current/`, itself a link to one complete snapshot under
`snapshots/`. A refresh builds its own snapshot and switches `current` to it at the end
(`pipelines.core.snapshots`); the parse cache and the writer lock live beside them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

RAW_DIR_ENV = "GOVREPORTS_RAW_DIR"
WAREHOUSE_DIR_ENV = "GOVREPORTS_WAREHOUSE_DIR"
DEFAULT_RAW_DIR = "data/raw"
DEFAULT_WAREHOUSE_DIR = "data/warehouse"

#: The repository root (the project is installed editable; `sql/` lives beside `pipelines/`,
#: this file in `pipelines/core/`).
PROJECT_ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = PROJECT_ROOT / "sql"

TIDY_TABLES = ("reports", "applications", "active_disclosure", "review_litigation")
#: The tidy tables of facts: each a directory of Parquet files (`<table>.parquet/part-*.parquet`,
#: `pipelines.core.tidy`); `reports.parquet` is one file.
FACT_TABLES = TIDY_TABLES[1:]


def table_parts(folder: Path) -> list[Path]:
    """The Parquet files of a table that is a directory of parts, in name order."""
    return sorted(folder.glob("part-*.parquet"))


def tidy_asset(table: str) -> str:
    """The Dagster asset of a tidy Parquet file: `tidy_<table>`. The bare names (`reports`,
    `applications`, …) are the SQL models analysts query: the report standing for each
    agency-year and its facts; the files hold every file's."""
    return f"tidy_{table}"


TIDY_ASSETS = tuple(tidy_asset(t) for t in TIDY_TABLES)

#: What readers open in the warehouse dir: each is a link to the same name in `current/`.
PUBLISHED = (
    "warehouse.duckdb",
    *(f"{table}.parquet" for table in TIDY_TABLES),
    "raw_manifest.parquet",
    "agencies.parquet",
    "marts",
    "docs",  # docs/index.html: the dbt docs of the warehouse (one file, opens in a browser)
)


def resolve_dir(explicit: str | None, env_var: str, default: str) -> Path:
    """An explicit setting wins, then the environment, then the default (relative to CWD)."""
    return Path(explicit or os.environ.get(env_var) or default).expanduser().resolve()


@dataclass(frozen=True)
class WarehouseFiles:
    """The files of one warehouse: the published one (the warehouse dir) or a snapshot."""

    root: Path

    @property
    def duckdb(self) -> Path:
        return self.root / "warehouse.duckdb"

    @property
    def manifest(self) -> Path:
        return self.root / "raw_manifest.parquet"

    @property
    def marts(self) -> Path:
        return self.root / "marts"

    @property
    def docs(self) -> Path:
        """The dbt docs site of the warehouse, one self-contained page (`dbt docs generate
        --static`): every model, column and test, with the lineage."""
        return self.root / "docs" / "index.html"

    @property
    def agencies(self) -> Path:
        return self.root / "agencies.parquet"

    @property
    def parse_skips(self) -> Path:
        """Files this snapshot's refresh could not hand to the parser, and why."""
        return self.root / "parse_skipped.parquet"

    def tidy(self, table: str) -> Path:
        """`<table>.parquet`: a file (reports) or a directory of parts (`FACT_TABLES`)."""
        return self.root / f"{table}.parquet"


@dataclass(frozen=True)
class WarehouseLayout(WarehouseFiles):
    """The warehouse dir: published links, snapshots, the writer lock and the parse cache."""

    @property
    def snapshots(self) -> Path:
        return self.root / "snapshots"

    @property
    def current(self) -> Path:
        """The link to the published snapshot."""
        return self.root / "current"

    @property
    def lock(self) -> Path:
        return self.root / "refresh.lock"

    def snapshot(self, name: str) -> WarehouseFiles:
        return WarehouseFiles(self.snapshots / name)

    def parse_cache(self, key: str) -> Path:
        """Parsed reports of one cache key (parser version + cache schema): one part per run
        that parsed something, compacted past `parse_cache_compaction.MAX_PARTS`."""
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", key)
        return self.root / "cache" / "parsed" / safe
