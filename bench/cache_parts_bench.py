"""What many parse-cache parts cost the tidy step, and what compacting them gives back.

Takes the parse cache of a benchmark warehouse (e.g. `make bench BENCH_ARGS="--big
--workdir /tmp/bench-big"` leaves /tmp/bench-big/warehouse-100000), and times
`build_tidy_tables` on three copies of it, `--repeat` times each, alternately:

- as it is (one part per refresh: the full one and the +1% one);
- split as a year of nightly refreshes would leave it: `--parts` parts of `--rows` reports
  each, cut from its largest part;
- that split cache after `parse_cache_compaction.compact` (and how long the compaction took).

    .venv/bin/python bench/cache_parts_bench.py /tmp/bench-big/warehouse-100000
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from parsers import PARSER_VERSION  # noqa: E402
from pipelines.core import parse_cache_compaction  # noqa: E402
from pipelines.core.paths import WarehouseFiles, WarehouseLayout  # noqa: E402
from pipelines.core.tables import parse_cache_key  # noqa: E402
from pipelines.core.tidy import build_tidy_tables  # noqa: E402


def _split(source: Path, target: Path, parts: int, rows: int) -> None:
    target.mkdir(parents=True)
    found = parse_cache_compaction.cache_parts(source)
    largest = max(found, key=lambda p: p.stat().st_size)
    table = pq.read_table(largest)
    keep = table.num_rows - parts * rows
    if keep <= 0:
        sys.exit(f"{largest.name} holds {table.num_rows} rows: fewer than {parts} × {rows}")
    # (row groups as the parse step writes them: DuckDB reads a file's row groups in parallel)
    pq.write_table(table.slice(0, keep), target / "part-00000.parquet", row_group_size=2048)
    for k in range(parts):
        pq.write_table(table.slice(keep + k * rows, rows), target / f"part-{k + 1:05d}.parquet")
    for other in found:
        if other != largest:
            shutil.copy(other, target / other.name)


def _time_tidy(warehouse: WarehouseLayout, cache: Path, work: Path) -> float:
    """The tidy step into a scratch snapshot holding the published snapshot's inputs."""
    published = WarehouseFiles(warehouse.current.resolve())
    scratch = WarehouseFiles(work / "snapshot")
    shutil.rmtree(scratch.root, ignore_errors=True)
    scratch.root.mkdir()
    for source, target in (
        (published.manifest, scratch.manifest),
        (published.parse_skips, scratch.parse_skips),
    ):
        if source.exists():
            shutil.copy(source, target)
    start = time.perf_counter()
    build_tidy_tables(scratch, cache)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("warehouse", type=Path, help="a benchmark warehouse dir")
    ap.add_argument("--parts", type=int, default=365, help="nightly parts (default 365)")
    ap.add_argument("--rows", type=int, default=100, help="reports per nightly part")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args(argv)
    warehouse = WarehouseLayout(args.warehouse)
    cache = warehouse.parse_cache(parse_cache_key(PARSER_VERSION))  # the parse step's own
    if not parse_cache_compaction.cache_parts(cache):
        sys.exit(f"no parse-cache part of parser {PARSER_VERSION} in {cache}")
    with tempfile.TemporaryDirectory(prefix="cache-parts-") as tmp:
        work = Path(tmp)
        split, compacted = work / "split", work / "compacted"
        _split(cache, split, args.parts, args.rows)
        shutil.copytree(split, compacted)
        start = time.perf_counter()
        merged = parse_cache_compaction.compact(compacted, datetime.now(UTC))
        took = time.perf_counter() - start
        print(f"compaction: {len(merged)} parts merged in {took:.2f} s")
        cases = {"as it is": cache, "split": split, "split, then compacted": compacted}
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.repeat):
            for name, path in cases.items():
                times[name].append(_time_tidy(warehouse, path, work))
        print("| cache | parts | tidy step s (each run) |")
        print("|---|---:|---|")
        for name, path in cases.items():
            each = " / ".join(f"{t:.2f}" for t in times[name])
            print(f"| {name} | {len(parse_cache_compaction.cache_parts(path))} | {each} |")


if __name__ == "__main__":
    main()
