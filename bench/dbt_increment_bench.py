"""What `dbt build` costs when N new reports arrive in a big warehouse, node by node.

Run on a warehouse that `make bench BENCH_ARGS="--big --workdir DIR"` left (DIR/warehouse-100000):

    .venv/bin/python bench/dbt_increment_bench.py DIR/warehouse-100000 --reports 1000

It copies the published snapshot twice into a scratch dir (the warehouse is not touched):

1. `dbt build --full-refresh` on the first copy (what a full refresh's dbt step runs);
2. on a copy of that, the rows of N reports deleted from every incremental model (the fact
   tables, figures_per_report, flags_of_own_figures), as if their files had
   just arrived, then the `dbt build` a refresh with new files runs (every model that
   reads a tidy file or the raw manifest, the incremental models incrementally, the views
   left as they are).

It prints each build's wall time, dbt's node time and the slowest nodes. dbt runs in this
process as the pipeline runs it (`pipelines.core.dbt_project`); the start-up, the parse, the
tidy step and the marts' Parquet export are not in these numbers (`make bench` has them).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from pipelines.core import dbt_build, dbt_project
from pipelines.core.paths import WarehouseFiles, WarehouseLayout
from pipelines.core.tables import sql_identifier


def incremental_models() -> list[str]:
    manifest = json.loads(dbt_project.manifest_path().read_text(encoding="utf-8"))
    return sorted(
        node["alias"] or node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"].get("materialized") == "incremental"
    )


def build(files: WarehouseFiles, args: list[str], top: int) -> None:
    started = time.perf_counter()
    result = dbt_project.run(args, files)
    wall = time.perf_counter() - started
    if not result.success:
        sys.exit(f"dbt {' '.join(args)} failed: {dbt_project.failure_text(result)}")
    nodes = result.result.results
    node_time = sum(n.execution_time for n in nodes)
    print(f"dbt {' '.join(args[:2])}: {wall:.1f} s wall, {len(nodes)} nodes, {node_time:.1f} s")
    for n in sorted(nodes, key=lambda n: -n.execution_time)[:top]:
        print(f"    {n.node.name[:64]:64} {n.execution_time:6.2f} s")


def forget_reports(database: Path, n: int, models: list[str]) -> int:
    """Delete the rows of `n` reports (chosen by a hash of their id) from the incremental
    `models`: the next incremental build loads them as new."""
    con = duckdb.connect(str(database))
    try:
        ids = [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT report_id FROM applications_all_files "
                "ORDER BY hash(report_id) LIMIT ?",
                [n],
            ).fetchall()
        ]
        con.execute(
            "CREATE TEMP TABLE forgotten AS SELECT unnest(?::VARCHAR[]) AS report_id", [ids]
        )
        for model in models:
            con.execute(
                f"DELETE FROM {sql_identifier(model)} "
                "WHERE report_id IN (SELECT report_id FROM forgotten)"
            )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return len(ids)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("warehouse", type=Path, help="a published warehouse dir")
    ap.add_argument("--reports", type=int, default=1000, help="reports arriving (default 1000)")
    ap.add_argument("--top", type=int, default=12, help="slowest nodes shown (default 12)")
    ap.add_argument("--workdir", type=Path, help="scratch dir (default: a temp dir, removed)")
    args = ap.parse_args(argv)

    current = WarehouseLayout(args.warehouse).current
    if not current.is_dir():
        sys.exit(f"{args.warehouse}: no published warehouse (no current/)")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="govreports-dbt-bench-"))
    try:
        full, increment = WarehouseFiles(work / "full"), WarehouseFiles(work / "increment")
        for files in (full, increment):
            shutil.rmtree(files.root, ignore_errors=True)
        shutil.copytree(current.resolve(), full.root)
        build(full, ["build", "--no-write-json", "--full-refresh"], args.top)
        shutil.copytree(full.root, increment.root)
        models = incremental_models()
        forgotten = forget_reports(increment.duckdb, args.reports, models)
        print(f"{forgotten} reports' rows deleted from {', '.join(models)}")
        select = [f"source:govreports.{name}+" for name in dbt_build.SOURCES]
        exclude = ["--exclude", *dbt_build.UNCHANGED_BY_DATA]  # (as the pipeline's plan)
        build(increment, ["build", "--no-write-json", "--select", *select, *exclude], args.top)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
