"""What a refresh asks `dbt build` to build in its snapshot, and what it built.

A snapshot's database starts as a copy of the published one, whose models dbt built from
the published Parquet files and the published `sql/`. `dbt_build.json` in each snapshot
records what that was (`Inputs`: the project's key, the footer fingerprint of each source
file, the generation of the fact files' rows). A refresh compares it with what its
snapshot holds now (`plan`):

- `sql/` changed, no record, or a model missing from the database: everything, the
  incremental fact tables rebuilt in full (`--full-refresh`);
- a source file changed: what reads it, directly or not (`source:govreports.<file>+`;
  not the seed and the dimension tables, which only `sql/` changes); the fact tables
  incrementally (the rows of new reports inserted, those of reports gone deleted) unless
  the generation of their rows changed (a new parser version or new tidy queries:
  `--full-refresh`);
- any mart whose Parquet file is missing;
- nothing at all when nothing changed (the copied database holds it): dbt is not called.

A build that is not a whole one leaves the views out (`--exclude config.materialized:view`):
a view's definition is its SQL text, which only `sql/` changes (the snapshot's dir and id
are DuckDB variables read when it is queried), so the copied database holds each view as
this project defines it. A view missing from the database makes the build a whole one, and
a new generation of the fact rows (which may bring new columns) builds the views too.

No Dagster here.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from pipelines.core import fingerprints
from pipelines.core.paths import FACT_TABLES, TIDY_TABLES, WarehouseFiles

STATE = "dbt_build.json"
#: The dbt sources (sql/models/sources.yml) whose changes `plan` follows: the tidy tables,
#: the raw manifest and the agencies' regions.
SOURCES = (*TIDY_TABLES, "raw_manifest", "agencies")
#: What a build that is not a whole one leaves out: the views (see the module's docstring).
UNCHANGED_BY_DATA = ("config.materialized:view",)


@dataclass(frozen=True)
class Inputs:
    project: str
    sources: dict[str, str | None] = field(default_factory=dict)
    #: While it stays the same, the rows of a report in each fact file stay the same.
    rows_generation: str | None = None


def current_inputs(files: WarehouseFiles, project: str) -> Inputs:
    sources = {name: fingerprints.of_table(files.root / f"{name}.parquet") for name in SOURCES}
    generations = {
        fingerprints.of_table(files.tidy(name), fingerprints.ROWS_BY_REPORT_KEY)
        for name in FACT_TABLES
    }
    generation = generations.pop() if len(generations) == 1 else None
    return Inputs(project, sources, generation)


def recorded_inputs(files: WarehouseFiles) -> Inputs | None:
    try:
        data = _read_state(files)
        return Inputs(data["project"], dict(data["sources"]), data.get("rows_generation"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def recorded_docs(files: WarehouseFiles) -> str | None:
    """The `docs_key` the snapshot's docs page was generated for."""
    try:
        return _read_state(files).get("docs")
    except (OSError, ValueError, AttributeError):
        return None


def _read_state(files: WarehouseFiles) -> dict:
    return json.loads((files.root / STATE).read_text(encoding="utf-8"))


def record(files: WarehouseFiles, inputs: Inputs, docs: str | None = None) -> None:
    """Write `dbt_build.json` (renamed into place: never half a file); `docs`: the
    `docs_key` of the docs page in the snapshot."""
    tmp = files.root / f".{STATE}.{uuid.uuid4().hex}.tmp"
    state = {**asdict(inputs), "docs": docs}
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, files.root / STATE)


# What `dbt docs generate` reads of the database besides the manifest (dbt-duckdb's catalog
# query: every table's and view's name and comment, every column's name, position, type and
# comment); the rows' counts and values are not in the docs.
_CATALOG = """
SELECT 'table', table_name, comment, NULL, NULL, NULL FROM duckdb_tables()
WHERE database_name = current_database() AND schema_name = 'main'
UNION ALL
SELECT 'view', view_name, comment, NULL, NULL, NULL FROM duckdb_views()
WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
UNION ALL
SELECT 'column', table_name, comment, column_name, column_index, data_type FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
ORDER BY ALL
"""


def docs_key(con: Any, project: str) -> str:
    """What the docs page of a database depends on: the project (its manifest) and the
    catalog. Equal keys, equal pages (but for the time each was generated): a refresh whose
    build changed rows and not the schema keeps the page it carried over."""
    rows = con.execute(_CATALOG).fetchall()
    return fingerprints.digest(project, repr(rows))


@dataclass(frozen=True)
class Plan:
    #: dbt node selection; empty: every node (unless `nothing`)
    select: tuple[str, ...]
    full_refresh: bool
    why: str
    #: nothing to build: dbt is not called
    nothing: bool = False
    #: dbt node selection left out of `select`
    exclude: tuple[str, ...] = ()

    @property
    def everything(self) -> bool:
        return not self.select and not self.nothing

    def args(self) -> list[str]:
        args = ["build", "--no-write-json"]  # (results come back in the call, not in files)
        if self.select:
            args += ["--select", *self.select]
        if self.exclude:
            args += ["--exclude", *self.exclude]
        if self.full_refresh:
            args.append("--full-refresh")
        return args


def plan(
    recorded: Inputs | None,
    now: Inputs,
    missing_models: set[str],
    missing_exports: set[str],
) -> Plan:
    if recorded is None:
        return Plan((), True, "no dbt build recorded in the snapshot")
    if recorded.project != now.project:
        return Plan((), True, "sql/ changed")
    if missing_models:
        return Plan((), True, f"not in the database: {', '.join(sorted(missing_models))}")
    full = recorded.rows_generation is None or recorded.rows_generation != now.rows_generation
    changed = sorted(n for n in SOURCES if recorded.sources.get(n) != now.sources.get(n))
    if full:  # (a new generation comes with new files)
        changed = sorted({*changed, *FACT_TABLES})
    select = (*(f"source:govreports.{name}+" for name in changed), *sorted(missing_exports))
    if not select:
        return Plan((), False, "nothing new", nothing=True)
    why = f"changed: {', '.join(changed)}" if changed else "nothing new"
    if full:
        why += " (a new generation of the fact rows)"
    if missing_exports:
        why += f"; Parquet file missing: {', '.join(sorted(missing_exports))}"
    # (a new generation of the fact rows may come with new columns, which views that
    # select `*` of a fact table show only once they are made again)
    return Plan(select, full, why, exclude=() if full else UNCHANGED_BY_DATA)


def missing_exports(files: WarehouseFiles, exported: set[str]) -> set[str]:
    return {name for name in exported if not (files.marts / f"{name}.parquet").is_file()}


def mart_path(files: WarehouseFiles, name: str) -> Path:
    return files.marts / f"{name}.parquet"
