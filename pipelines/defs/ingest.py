"""Raw files → manifest → parse cache → the four tidy Parquet tables (+ agency regions).

Every asset writes into the run's snapshot (`Warehouse.build()`); the parse cache is
shared by all runs. Metadata paths name the published files readers open.
"""

from datetime import UTC, datetime

import dagster as dg

from parsers import PARSER_VERSION
from pipelines.faults import checkpoint
from pipelines.manifest import refresh_manifest
from pipelines.parsing import default_workers, parse_pending
from pipelines.paths import TIDY_TABLES, tidy_asset
from pipelines.rawfiles import has_entries
from pipelines.reading import DEFAULT_MAX_FILE_MB, MB
from pipelines.regions import write_agencies
from pipelines.resources import RawDir, Warehouse
from pipelines.snapshots import not_carried
from pipelines.tables import parse_cache_key
from pipelines.tidy import build_tidy_tables
from pipelines.warehouse_guard import check_dirs

GROUP = "ingest"


class ParseConfig(dg.Config):
    workers: int = 0
    """Parser processes; 0 means one per CPU, 1 parses in the run's own process."""
    max_file_mb: int = DEFAULT_MAX_FILE_MB
    """Larger files are not parsed: their `reports` row is `rejected`, saying so."""


def parse_cache_dir(warehouse: Warehouse):
    """This parser version's cache (reused only while the cache schema is the same too)."""
    return warehouse.layout.parse_cache(parse_cache_key(PARSER_VERSION))


@dg.asset(group_name=GROUP, kinds={"parquet"})
def raw_manifest(
    context: dg.AssetExecutionContext, raw_dir: RawDir, warehouse: Warehouse
) -> dg.MaterializeResult:
    """Every entry under the raw dir: path, size, SHA-256 (or why not read), first and last seen."""
    root = raw_dir.root
    problem = check_dirs(root, warehouse.layout.root)
    if problem:
        raise dg.Failure(problem)
    if not root.is_dir():
        raise dg.Failure(f"raw dir {root} does not exist (set GOVREPORTS_RAW_DIR or --raw-dir)")
    if not has_entries(root):
        raise dg.Failure(f"raw dir {root} holds no files: nothing to ingest")
    build = warehouse.build()
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


@dg.asset(
    group_name=GROUP,
    deps=[raw_manifest],
    code_version=PARSER_VERSION,
    kinds={"python", "parquet"},
)
def parsed_reports(
    context: dg.AssetExecutionContext, config: ParseConfig, raw_dir: RawDir, warehouse: Warehouse
) -> dg.MaterializeResult:
    """Parse cache: bytes not parsed yet by this parser version are parsed in a process pool."""
    build = warehouse.build()
    stats = parse_pending(
        raw_dir.root,
        build.manifest,
        parse_cache_dir(warehouse),
        build.parse_skips,
        config.workers or default_workers(),
        datetime.now(UTC),
        config.max_file_mb * MB,
    )
    for name in stats.parts_damaged:
        context.log.warning(f"damaged parse-cache part removed, its reports reparsed: {name}")
    return dg.MaterializeResult(
        metadata={
            "parser_version": PARSER_VERSION,
            "to_parse": stats.to_parse,
            "parsed": stats.parsed,
            "skipped": stats.skipped,
            **{f"parsed_{status}": n for status, n in sorted(stats.by_status.items())},
            "cache_part": stats.part or "",
            "cache_parts_merged": stats.parts_merged,
            "damaged_rebuilt": "\n".join(
                f"parse cache {name}: damaged (bytes differ from its name's digest); "
                "its reports were parsed again"
                for name in stats.parts_damaged
            ),
        }
    )


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
