"""Raw files → manifest → parse cache → the four tidy Parquet tables (+ agency regions).

Every asset writes into the run's snapshot (`Warehouse.build()`); the parse cache is
shared by all runs. Metadata paths name the published files readers open.
"""

from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from parsers import PARSER_VERSION
from pipelines.core import code_key, parse_step, shards
from pipelines.core.faults import checkpoint
from pipelines.core.parse_file import DEFAULT_MAX_FILE_MB, MB
from pipelines.core.parse_step import default_workers, prepare
from pipelines.core.paths import TIDY_TABLES, tidy_asset
from pipelines.core.raw_dir import has_entries
from pipelines.core.raw_manifest import refresh_manifest
from pipelines.core.regions import write_agencies
from pipelines.core.shards import ParsePlan, Shard, ShardResult
from pipelines.core.snapshots import not_carried
from pipelines.core.tables import parse_cache_key
from pipelines.core.tidy import build_tidy_tables
from pipelines.core.warehouse_guard import check_dirs
from pipelines.defs.resources import RawDir, Warehouse
from pipelines.executors import executor_kind

GROUP = "ingest"


class ParseConfig(dg.Config):
    workers: int = 0
    """Parser processes inside each shard step: 0 means one per CPU under the in-process
    executor and 1 under the others (where the executor's own processes are the
    parallelism); 1 parses in the step's own process."""
    max_file_mb: int = DEFAULT_MAX_FILE_MB
    """Larger files are not parsed: their `reports` row is `rejected`, saying so."""
    shards: int = 1
    """Ranges of content-hash prefixes, each parsed by a step of its own (only the ranges
    holding reports not parsed yet become steps)."""


def parse_cache_dir(warehouse: Warehouse):
    """This parser version's cache (reused only while the cache schema is the same too)."""
    return warehouse.layout.parse_cache(parse_cache_key(PARSER_VERSION))


@dg.asset(group_name=GROUP, kinds={"parquet"})
def raw_manifest(
    context: dg.AssetExecutionContext, raw_dir: RawDir, warehouse: Warehouse
) -> dg.MaterializeResult:
    """Every entry under the raw dir: path, size, SHA-256 (or why not read), when first seen,
    since when gone."""
    root = raw_dir.root
    problem = check_dirs(root, warehouse.layout.root)
    if problem:
        raise dg.Failure(problem)
    if not root.is_dir():
        raise dg.Failure(f"raw dir {root} does not exist (set GOVREPORTS_RAW_DIR or --raw-dir)")
    if not has_entries(root):
        raise dg.Failure(f"raw dir {root} holds no files: nothing to ingest")
    build = warehouse.build()
    code_key.record(build.root, code_key.code_key())  # (checked again at publish)
    # the published manifest as carried into this run's snapshot (checked against its seal)
    stats = refresh_manifest(root, build.manifest, build.manifest, datetime.now(UTC))
    checkpoint("manifest")
    repaired = not_carried(build)
    if stats.previous_unreadable:
        repaired.append(f"raw_manifest.parquet: {stats.previous_unreadable}")
    for note in repaired:
        context.log.warning(f"damaged warehouse file, rebuilt: {note}")
    return dg.MaterializeResult(
        metadata={
            "raw_dir": str(root),
            "files_present": stats.present,
            "files_new": stats.new,
            "files_changed": stats.changed,
            "files_removed": stats.removed,
            "files_unreadable": stats.unreadable,
            "damaged_rebuilt": "\n".join(repaired),
        }
    )


@dg.op(
    ins={"after": dg.In(dg.Nothing)},
    out={
        "shards": dg.DynamicOut(Shard, description="one per prefix range with work"),
        "plan": dg.Out(ParsePlan, description="what every shard shares"),
    },
)
def plan_parse(
    context: dg.OpExecutionContext, config: ParseConfig, raw_dir: RawDir, warehouse: Warehouse
):
    """The content hashes not parsed yet by this parser version, split into shards."""
    build = warehouse.build()
    cache_dir = parse_cache_dir(warehouse)
    now = datetime.now(UTC)
    prepared = prepare(raw_dir.root, build.manifest, cache_dir, config.max_file_mb * MB)
    workers = config.workers or (
        default_workers() if executor_kind(context.run.run_config) == "in_process" else 1
    )
    split = shards.split(prepared.jobs, config.shards)
    for name, jobs in split:
        yield dg.DynamicOutput(
            Shard(name, jobs, str(cache_dir), workers, now), output_name="shards", mapping_key=name
        )
    yield dg.Output(
        ParsePlan(len(prepared.jobs), prepared.parts_damaged, now, len(split)), output_name="plan"
    )


@dg.op
def parse_shard(shard: Shard) -> ShardResult:
    """One shard's reports parsed into a parse-cache part of its own."""
    stats = parse_step.parse_jobs(
        shard.jobs, Path(shard.cache_dir), shard.workers, shard.parsed_at, shard.name
    )
    return ShardResult(shard.name, stats.parsed, stats.by_status, stats.skipped, stats.part)


@dg.op
def finish_parse(
    context: dg.OpExecutionContext,
    plan: ParsePlan,
    results: list[ShardResult],
    warehouse: Warehouse,
) -> None:
    """The run's skipped files, then the cache compacted; the parse's figures."""
    for name in plan.parts_damaged:
        context.log.warning(f"damaged parse-cache part removed, its reports reparsed: {name}")
    skipped = [skip for result in results for skip in result.skipped]
    cache_dir = parse_cache_dir(warehouse)
    merged = parse_step.finish(cache_dir, skipped, warehouse.build().parse_skips, plan.parsed_at)
    by_status: dict[str, int] = {}
    for result in results:
        for status, n in result.by_status.items():
            by_status[status] = by_status.get(status, 0) + n
    parts = sorted(r.part for r in results if r.part)
    context.add_output_metadata(
        {
            "parser_version": PARSER_VERSION,
            "to_parse": plan.to_parse,
            "parsed": sum(r.parsed for r in results),
            "skipped": len(skipped),
            **{f"parsed_{status}": n for status, n in sorted(by_status.items())},
            "shards": plan.shards,
            "cache_part": "\n".join(parts),
            "cache_parts_merged": len(merged),
            "damaged_rebuilt": "\n".join(
                f"parse cache {name}: damaged (bytes differ from its name's digest); "
                "its reports were parsed again"
                for name in plan.parts_damaged
            ),
        }
    )


@dg.config_mapping
def parse_config(config: ParseConfig) -> dict:
    """The asset's config (`ops: parsed_reports: config:`) is the planning step's."""
    return {"plan_parse": {"config": config.model_dump()}}


@dg.graph_asset(
    group_name=GROUP,
    ins={"raw_manifest": dg.AssetIn(dagster_type=dg.Nothing)},
    code_version=PARSER_VERSION,
    kinds={"python", "parquet"},
    config=parse_config,
)
def parsed_reports(raw_manifest):
    """Parse cache: bytes not parsed yet by this parser version, parsed shard by shard (each
    shard a step of its own, which the run's executor places; in-process, a process pool
    inside each shard)."""
    shard_outputs, plan = plan_parse(raw_manifest)
    return finish_parse(plan, shard_outputs.map(parse_shard).collect())


@dg.multi_asset(
    group_name=GROUP,
    specs=[
        dg.AssetSpec(
            tidy_asset(t),
            deps=[raw_manifest, parsed_reports],
            kinds={"parquet"},
            description=f"{t}.parquet: the tidy table of every file (the data contract)",
        )
        for t in TIDY_TABLES
    ],
)
def tidy_tables(warehouse: Warehouse):
    """The contract's tidy tables: reports (one row per raw file) and the three fact tables."""
    result = build_tidy_tables(warehouse.build(), parse_cache_dir(warehouse))
    for table in TIDY_TABLES:
        yield dg.MaterializeResult(
            asset_key=tidy_asset(table),
            metadata={
                "rows": result.rows[table],
                "path": str(warehouse.layout.tidy(table)),
                "rebuilt": result.rebuilt,
            },
        )


@dg.asset(group_name=GROUP, deps=[tidy_asset("reports")], kinds={"python", "parquet"})
def agencies(warehouse: Warehouse) -> dg.MaterializeResult:
    """Province, city and county of every agency name (administrative-division package)."""
    build = warehouse.build()
    n, rebuilt = write_agencies(build.tidy("reports"), build.agencies)
    return dg.MaterializeResult(metadata={"rows": n, "rebuilt": rebuilt})
