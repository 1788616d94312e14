"""Where the pipeline reads and writes: raw dir, warehouse dir and the files inside it.

Plain functions and a dataclass (no Dagster), so the CLI can check paths before it
imports Dagster at all.
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

#: The repository root (the project is installed editable; `sql/` lives beside `pipelines/`).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = PROJECT_ROOT / "sql"

TIDY_TABLES = ("reports", "applications", "active_disclosure", "review_litigation")


def resolve_dir(explicit: str | None, env_var: str, default: str) -> Path:
    """An explicit setting wins, then the environment, then the default (relative to CWD)."""
    return Path(explicit or os.environ.get(env_var) or default).expanduser().resolve()


@dataclass(frozen=True)
class WarehouseLayout:
    """Every file the pipeline keeps under the warehouse dir."""

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
    def agencies(self) -> Path:
        return self.root / "agencies.parquet"

    def tidy(self, table: str) -> Path:
        return self.root / f"{table}.parquet"

    def parse_cache(self, key: str) -> Path:
        """Parsed reports of one cache key (parser version + cache schema), one part per run."""
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", key)
        return self.root / "cache" / "parsed" / safe
