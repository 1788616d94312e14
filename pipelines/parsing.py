"""Incremental parsing: each content hash is parsed once per parser version.

Results go to a Parquet cache (`cache/parsed/<parser version>/part-*.parquet`, one part per
refresh that parsed something), so a rerun with no new bytes and the same parser parses
nothing, and a new parser version reparses everything once. Files that could not be handed
to the parser this time (gone or unreadable since the scan, too large, changed while being
read) are not cached: they go, with the reason, to the run's `parse_skipped.parquet`, and
are tried again by the next refresh.
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

from pipelines.faults import checkpoint
from pipelines.reading import read_and_parse
from pipelines.tables import PARSED_SCHEMA, SKIPPED_SCHEMA, write_parquet

CHANGED_WHILE_READ = (
    "not parsed: the file changed between the scan and the parse; the next refresh parses it"
)


@dataclass(frozen=True)
class ParseStats:
    to_parse: int
    parsed: int
    by_status: dict[str, int]
    skipped: int
    part: str | None


@dataclass(frozen=True)
class Job:
    raw_dir: str
    sha256: str  # as the scan hashed it
    paths: tuple[str, ...]  # present files with those bytes; the first readable one is parsed
    max_bytes: int


def cached_hashes(cache_dir: Path) -> set[str]:
    parts = sorted(cache_dir.glob("part-*.parquet"))
    if not parts:
        return set()
    return set(pq.read_table(parts, columns=["sha256"]).column("sha256").to_pylist())


def pending(manifest_path: Path, cache_dir: Path) -> dict[str, list[str]]:
    """sha256 → relative paths of the present files with those bytes, for bytes not parsed yet."""
    manifest = pq.read_table(manifest_path, columns=["path", "sha256", "present"]).to_pylist()
    done = cached_hashes(cache_dir)
    todo: dict[str, list[str]] = {}
    for row in manifest:
        sha = row["sha256"]
        if row["present"] and sha and sha not in done:
            todo.setdefault(sha, []).append(row["path"])
    return todo


def _parse_one(job: Job) -> tuple[str | None, dict | None, list[tuple[str, str]]]:
    """(sha256 read, report dict, [(path, reason not parsed)]) for one content hash."""
    skipped = []
    for rel in job.paths:
        sha, report = read_and_parse(Path(job.raw_dir) / rel, rel, job.max_bytes)
        if sha is None:
            skipped.append((rel, report.status_reason))
            continue
        if sha != job.sha256:
            skipped.append((rel, CHANGED_WHILE_READ))
        return sha, report.to_dict(), skipped
    return None, None, skipped


def _pool_context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def parse_all(jobs: list[Job], workers: int) -> list[tuple[str | None, dict | None, list]]:
    workers = min(workers, len(jobs))
    if workers <= 1:
        return [_parse_one(job) for job in jobs]
    chunksize = max(1, min(64, len(jobs) // (workers * 4)))
    with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context()) as pool:
        return list(pool.map(_parse_one, jobs, chunksize=chunksize))


def default_workers() -> int:
    return max(1, (os.cpu_count() or 1))


def parse_pending(
    raw_dir: Path,
    manifest_path: Path,
    cache_dir: Path,
    skips_path: Path,
    workers: int,
    now: datetime,
    max_bytes: int,
) -> ParseStats:
    remove_stale_temp_files(cache_dir)
    todo = pending(manifest_path, cache_dir)
    jobs = [
        Job(str(raw_dir), sha, tuple(sorted(paths)), max_bytes)
        for sha, paths in sorted(todo.items(), key=lambda item: min(item[1]))
    ]
    rows, skips, by_status = [], [], {}
    for sha, report, skipped in parse_all(jobs, workers):
        skips += [{"path": rel, "reason": reason} for rel, reason in skipped]
        if sha is None:
            continue
        rows.append({"sha256": sha, "parsed_at": now, **report})
        by_status[report["status"]] = by_status.get(report["status"], 0) + 1
    part = None
    if rows:
        part = cache_dir / f"part-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.parquet"
        write_parquet(pa.Table.from_pylist(rows, schema=PARSED_SCHEMA), part)
    write_parquet(pa.Table.from_pylist(skips, schema=SKIPPED_SCHEMA), skips_path)
    checkpoint("parse")
    prune_other_versions(cache_dir)
    return ParseStats(len(todo), len(rows), by_status, len(skips), part.name if part else None)


def remove_stale_temp_files(cache_dir: Path) -> None:
    """Temporary files a killed refresh left behind (the writer lock makes this safe)."""
    if cache_dir.is_dir():
        for tmp in cache_dir.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)


def prune_other_versions(cache_dir: Path) -> None:
    """Results of other parser versions are never read again."""
    if not cache_dir.parent.is_dir():
        return
    for other in cache_dir.parent.iterdir():
        if other.is_dir() and other != cache_dir:
            shutil.rmtree(other)
