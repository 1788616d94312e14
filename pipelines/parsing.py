"""Incremental parsing: each content hash is parsed once per parser version.

Results go to a Parquet cache (`cache/parsed/<parser version>/part-*.parquet`, one part per
refresh that parsed something), so a rerun with no new bytes and the same parser parses
nothing, and a new parser version reparses everything once.
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.reading import read_and_parse
from pipelines.tables import PARSED_SCHEMA, write_parquet


@dataclass(frozen=True)
class ParseStats:
    to_parse: int
    parsed: int
    by_status: dict[str, int]
    unreadable: int
    part: str | None


def cached_hashes(cache_dir: Path) -> set[str]:
    parts = sorted(cache_dir.glob("part-*.parquet"))
    if not parts:
        return set()
    return set(pq.read_table(parts, columns=["sha256"]).column("sha256").to_pylist())


def pending(manifest_path: Path, cache_dir: Path) -> dict[str, str]:
    """sha256 → relative path of one present file with those bytes, for bytes not yet parsed."""
    manifest = pq.read_table(manifest_path, columns=["path", "sha256", "present"]).to_pylist()
    done = cached_hashes(cache_dir)
    todo: dict[str, str] = {}
    for row in manifest:
        sha = row["sha256"]
        if row["present"] and sha and sha not in done:
            todo.setdefault(sha, row["path"])
    return todo


def _parse_one(job: tuple[str, str]) -> tuple[str | None, dict]:
    raw_dir, rel_path = job
    sha, report = read_and_parse(Path(raw_dir) / rel_path, rel_path)
    return sha, report.to_dict()


def _pool_context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def parse_all(raw_dir: Path, todo: dict[str, str], workers: int) -> list[tuple[str | None, dict]]:
    jobs = [(str(raw_dir), rel) for rel in sorted(todo.values())]
    workers = min(workers, len(jobs))
    if workers <= 1:
        return [_parse_one(job) for job in jobs]
    chunksize = max(1, min(64, len(jobs) // (workers * 4)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context()) as pool:
        return list(pool.map(_parse_one, jobs, chunksize=chunksize))


def default_workers() -> int:
    return max(1, (os.cpu_count() or 1))


def parse_pending(
    raw_dir: Path, manifest_path: Path, cache_dir: Path, workers: int, now: datetime
) -> ParseStats:
    todo = pending(manifest_path, cache_dir)
    rows, by_status, unreadable = [], {}, 0
    for sha, report in parse_all(raw_dir, todo, workers):
        if sha is None:  # vanished or unreadable since the scan: retried next run, not cached
            unreadable += 1
            continue
        rows.append({"sha256": sha, "parsed_at": now, **report})
        by_status[report["status"]] = by_status.get(report["status"], 0) + 1
    part = None
    if rows:
        part = cache_dir / f"part-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.parquet"
        write_parquet(pa.Table.from_pylist(rows, schema=PARSED_SCHEMA), part)
    prune_other_versions(cache_dir)
    return ParseStats(len(todo), len(rows), by_status, unreadable, part.name if part else None)


def prune_other_versions(cache_dir: Path) -> None:
    """Results of other parser versions are never read again."""
    if not cache_dir.parent.is_dir():
        return
    for other in cache_dir.parent.iterdir():
        if other.is_dir() and other != cache_dir:
            shutil.rmtree(other)
