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

No Dagster here.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipelines.core import fingerprints
from pipelines.core.paths import TIDY_TABLES, WarehouseFiles

STATE = "dbt_build.json"
#: The dbt sources (sql/models/sources.yml) whose changes `plan` follows: the tidy tables,
#: the raw manifest and the agencies' regions.
SOURCES = (*TIDY_TABLES, "raw_manifest", "agencies")
FACT_SOURCES = ("applications", "active_disclosure", "review_litigation")


@dataclass(frozen=True)
class Inputs:
    project: str
    sources: dict[str, str | None] = field(default_factory=dict)
    #: While it stays the same, the rows of a report in each fact file stay the same.
    rows_generation: str | None = None


def current_inputs(files: WarehouseFiles, project: str) -> Inputs:
    sources = {name: fingerprints.of_file(files.root / f"{name}.parquet") for name in SOURCES}
    generations = {
        fingerprints.of_file(files.tidy(name), fingerprints.ROWS_BY_REPORT_KEY)
        for name in FACT_SOURCES
    }
    generation = generations.pop() if len(generations) == 1 else None
    return Inputs(project, sources, generation)


def recorded_inputs(files: WarehouseFiles) -> Inputs | None:
    try:
        data = json.loads((files.root / STATE).read_text(encoding="utf-8"))
        return Inputs(data["project"], dict(data["sources"]), data.get("rows_generation"))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record(files: WarehouseFiles, inputs: Inputs) -> None:
    """Write `dbt_build.json` (renamed into place: never half a file)."""
    tmp = files.root / f".{STATE}.{uuid.uuid4().hex}.tmp"
    tmp.write_text(json.dumps(asdict(inputs), indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, files.root / STATE)


@dataclass(frozen=True)
class Plan:
    #: dbt node selection; empty: every node (unless `nothing`)
    select: tuple[str, ...]
    full_refresh: bool
    why: str
    #: nothing to build: dbt is not called
    nothing: bool = False

    @property
    def everything(self) -> bool:
        return not self.select and not self.nothing

    def args(self) -> list[str]:
        args = ["build", "--no-write-json"]  # (results come back in the call, not in files)
        if self.select:
            args += ["--select", *self.select]
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
        changed = sorted({*changed, *FACT_SOURCES})
    select = (*(f"source:govreports.{name}+" for name in changed), *sorted(missing_exports))
    if not select:
        return Plan((), False, "nothing new", nothing=True)
    why = f"changed: {', '.join(changed)}" if changed else "nothing new"
    if full:
        why += " (a new generation of the fact rows)"
    if missing_exports:
        why += f"; Parquet file missing: {', '.join(sorted(missing_exports))}"
    return Plan(select, full, why)


def missing_exports(files: WarehouseFiles, exported: set[str]) -> set[str]:
    return {name for name in exported if not (files.marts / f"{name}.parquet").is_file()}


def mart_path(files: WarehouseFiles, name: str) -> Path:
    return files.marts / f"{name}.parquet"
