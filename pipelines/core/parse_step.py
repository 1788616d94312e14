"""Incremental parsing: each content hash is parsed once per parser version.

Results go to a Parquet cache (`cache/parsed/<parser version>/part-*.parquet`, one part per
refresh that parsed something; past `parse_cache_compaction.MAX_PARTS` parts the smallest
are merged into one), so a rerun with no new bytes and the same parser parses nothing, and a
new parser version reparses everything once. Files that could not be handed
to the parser this time (gone or unreadable since the scan, too large, changed while being
read) are not cached: they go, with the reason, to the run's `parse_skipped.parquet`, and
are tried again by the next refresh.

Memory does not grow with the number of reports: each worker parses a chunk of content
hashes and sends back one Arrow record batch built from the reports' fields
(`pipelines.core.parse_records`); the parent appends the batches to this run's part as they
arrive (`PartWriter`: a temporary file, renamed into the cache only once complete and synced).

A refresh parses in shards (`pipelines.core.shards`: ranges of content-hash prefixes), each a
Dagster step of its own that writes its own part, so an executor can run them in several
processes or on several machines: `prepare` (once, before any shard), `parse_jobs` (per
shard), `finish` (once, after every shard). `parse_pending` does the three in one go.
"""

from __future__ import annotations

import dataclasses
import gc
import multiprocessing
import os
import shutil
import threading
import time
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from parsers import Report, rejected_report
from pipelines.core.faults import checkpoint
from pipelines.core.parse_cache_compaction import cache_parts, compact, part_path, verify_parts
from pipelines.core.parse_file import read_and_parse
from pipelines.core.parse_records import report_batch
from pipelines.core.raw_dir import advise_will_read, fs_name
from pipelines.core.tables import PARSED_SCHEMA, SKIPPED_SCHEMA, PartWriter, write_parquet

#: Content hashes per task sent to a worker (smaller for few jobs, so both workers get some).
MAX_CHUNK = 128

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
    parts_merged: int = 0  # cache parts compacted into one after this run's (compact)
    parts_damaged: list[str] = dataclasses.field(default_factory=list)  # removed, reparsed


@dataclass(frozen=True)
class Job:
    raw_dir: str
    sha256: str  # as the scan hashed it
    paths: tuple[str, ...]  # present files with those bytes; the first readable one is parsed
    max_bytes: int


def cached_hashes(cache_dir: Path) -> pa.Array:
    """The content hashes the cache holds a parse of; not those whose every parse was
    refused for want of OCR when OCR can run now (they are read again: a refresh with
    `GOVREPORTS_OCR=off`, or before the OCR packages were installed, leaves them waiting)."""
    parts = cache_parts(cache_dir)
    if not parts:
        return pa.array([], pa.string())
    cached = pq.read_table(parts, columns=["sha256", "status_reason"])
    again = read_again_for_ocr(cached.column("status_reason"))
    if again is not None:
        cached = cached.filter(pc.invert(again))  # (a hash read by OCR since stays)
    return cached.column("sha256").combine_chunks()


def read_again_for_ocr(
    reasons: pa.ChunkedArray | pa.Array,
) -> pa.ChunkedArray | pa.Array | None:
    """Per status reason: refused for want of OCR, which can run now (the report is read
    again); None when no reason is such (OCR's availability is asked only then)."""
    waiting = waits_for_ocr(reasons)
    if pc.any(waiting).as_py() and _ocr_module().ocr_unavailable() is None:
        return waiting
    return None


def waits_for_ocr(reasons: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Per status reason: was the report refused because OCR could not run?"""
    marks = [pc.match_substring(reasons, mark) for mark in _ocr_module().OCR_UNAVAILABLE_MARKS]
    waiting = marks[0]
    for mark in marks[1:]:
        waiting = pc.or_(waiting, mark)
    return pc.fill_null(waiting, False)


def _ocr_module():
    from parsers import ocr_text  # (its engine's packages load only when OCR runs)

    return ocr_text


def pending(manifest_path: Path, cache_dir: Path) -> dict[str, list[str]]:
    """sha256 → relative paths of the present files with those bytes, for bytes not parsed yet."""
    manifest = pq.read_table(manifest_path, columns=["path", "sha256", "present"])
    sha = manifest.column("sha256")
    todo_mask = pc.and_(
        pc.fill_null(manifest.column("present"), False),
        pc.invert(pc.fill_null(pc.is_in(sha, value_set=cached_hashes(cache_dir)), True)),
    )
    todo: dict[str, list[str]] = {}
    rows = manifest.filter(pc.and_(todo_mask, pc.is_valid(sha)))
    for path, digest in zip(
        rows.column("path").to_pylist(), rows.column("sha256").to_pylist(), strict=True
    ):
        todo.setdefault(digest, []).append(path)
    return todo


def _parse_one(job: Job) -> tuple[str | None, Report | None, list[tuple[str, str]]]:
    """(sha256 read, report, [(path, reason not parsed)]) for one content hash."""
    skipped = []
    for rel in job.paths:
        sha, report = read_and_parse(os.path.join(job.raw_dir, fs_name(rel)), rel, job.max_bytes)
        if sha is None:
            skipped.append((rel, report.status_reason))
            continue
        if sha != job.sha256:
            skipped.append((rel, CHANGED_WHILE_READ))
        return sha, report, skipped
    return None, None, skipped


@dataclass(frozen=True)
class ChunkResult:
    batch: pa.RecordBatch | None  # PARSED_SCHEMA rows of the reports parsed
    skipped: list[tuple[str, str]]  # (path, reason not parsed)
    by_status: dict[str, int]


def _parse_chunk(jobs: list[Job], parsed_at: datetime) -> ChunkResult:
    """Parse a few content hashes in a worker; only compact Arrow rows travel back.

    Python's cyclic garbage collector is paused for the chunk: its reports stay alive until
    the batch is built, so every automatic collection walked them (and everything the worker
    holds) again — 13–16% of the parse step's time in paired runs. Parsing a report leaves
    no reference cycles (tests/test_pipeline_parse_rows.py checks it on real, run-together,
    mojibake and binary inputs), so nothing piles up meanwhile; should a new input make
    some, they are collected when the collector runs again after the chunk."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse_chunk_now(jobs, parsed_at)
    finally:
        if was_enabled:
            gc.enable()


def _parse_chunk_now(jobs: list[Job], parsed_at: datetime) -> ChunkResult:
    checkpoint("parse:chunk")
    results, skipped, by_status = [], [], {}
    for job in jobs:
        sha, report, skips = _parse_one(job)
        skipped += skips
        if sha is not None:
            results.append((sha, report))
            by_status[report.status] = by_status.get(report.status, 0) + 1
    batch = _batch_of(results, parsed_at) if results else None
    return ChunkResult(batch, skipped, by_status)


def _batch_of(results: list[tuple[str, Report]], parsed_at: datetime) -> pa.RecordBatch:
    """The chunk's rows; a report whose fields Arrow cannot store (a parser bug: the parser
    bounds every figure) becomes a `rejected` row saying so, instead of failing the chunk
    and with it every refresh."""
    try:
        return report_batch(results, parsed_at)
    except (pa.ArrowException, OverflowError, TypeError, ValueError):
        pass
    batches = []
    for sha, report in results:
        try:
            batches.append(report_batch([(sha, report)], parsed_at))
        except (pa.ArrowException, OverflowError, TypeError, ValueError) as exc:
            reason = f"parser error: its record cannot be stored: {type(exc).__name__}: {exc}"
            stored = rejected_report(reason[:2000], report.source_path, report.report_id)
            batches.append(report_batch([(sha, stored)], parsed_at))
    return pa.Table.from_batches(batches, PARSED_SCHEMA).combine_chunks().to_batches()[0]


def _pool_context():
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def parse_all(jobs: list[Job], workers: int, parsed_at: datetime) -> Iterator[ChunkResult]:
    """Results chunk by chunk, in job order; at most two chunks per worker are in flight, so
    memory does not grow with the number of jobs."""
    workers = max(1, min(workers, len(jobs)))
    size = max(1, min(MAX_CHUNK, len(jobs) // (workers * 4)))
    chunks = [jobs[i : i + size] for i in range(0, len(jobs), size)]
    work = partial(_parse_chunk, parsed_at=parsed_at)
    if workers <= 1:
        for chunk in chunks:
            _read_ahead(chunk)
            yield work(chunk)
        return
    me = os.getpid()
    stat = _proc_stat(me)
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_pool_context(),
        initializer=_die_with,
        initargs=(me, stat[1] if stat else None),
    ) as pool:
        in_flight: deque = deque()
        for chunk in chunks:
            _read_ahead(chunk)  # a few chunks before a worker reads them
            in_flight.append(pool.submit(work, chunk))
            if len(in_flight) >= 2 * workers:
                yield in_flight.popleft().result()
        while in_flight:
            yield in_flight.popleft().result()


def _die_with(parent_pid: int, parent_started: str | None) -> None:
    """Pool worker initializer: a thread that ends the worker once the refresh that
    started it is gone. Workers are children of multiprocessing's fork server, not of the
    refresh, and a SIGKILLed refresh would otherwise leave them (and the fork server)
    waiting for work forever, ~230 MB each."""

    def watch() -> None:
        while _process_alive(parent_pid, parent_started):
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def _process_alive(pid: int, started: str | None) -> bool:
    """Whether process `pid`, started at `started` (its /proc start time, so that a reused
    pid is not taken for it), is still running (a zombie is not)."""
    if started is not None:
        stat = _proc_stat(pid)
        return stat is not None and stat[0] != "Z" and stat[1] == started
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """(state, start time) of a process from /proc (Linux), or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0].decode(), fields[19].decode()


def _read_ahead(chunk: list[Job]) -> None:
    """Readahead of the file each job will read first. With a cold page cache (a full
    refresh after a parser upgrade) the workers otherwise wait ~0.3 ms per file for the
    disk, one file at a time."""
    advise_will_read(os.path.join(job.raw_dir, fs_name(job.paths[0])) for job in chunk if job.paths)


def default_workers() -> int:
    return max(1, (os.cpu_count() or 1))


@dataclass(frozen=True)
class Prepared:
    jobs: list[Job]  # in the order of their first path
    parts_damaged: list[str]  # removed, their reports to be parsed again


def prepare(raw_dir: Path, manifest_path: Path, cache_dir: Path, max_bytes: int) -> Prepared:
    """Before any shard: clean the cache (temporary files of killed runs, damaged parts)
    and list the content hashes not parsed yet."""
    remove_stale_temp_files(cache_dir)
    damaged = verify_parts(cache_dir)
    todo = pending(manifest_path, cache_dir)
    jobs = [
        Job(str(raw_dir), sha, tuple(sorted(paths)), max_bytes)
        for sha, paths in sorted(todo.items(), key=lambda item: min(item[1]))
    ]
    return Prepared(jobs, damaged)


@dataclass(frozen=True)
class PartStats:
    parsed: int
    by_status: dict[str, int]
    skipped: list[tuple[str, str]]  # (path, reason not parsed)
    part: str | None  # the part written (None when nothing was parsed)


def parse_jobs(
    jobs: list[Job], cache_dir: Path, workers: int, now: datetime, shard: str = "all"
) -> PartStats:
    """Parse `jobs` (the shard named `shard`) into one new part of the cache (`workers`
    processes; 1 parses here)."""
    skipped: list[tuple[str, str]] = []
    by_status: dict[str, int] = {}
    with PartWriter(part_path(cache_dir, now), PARSED_SCHEMA, sealed=True) as part:
        for result in parse_all(jobs, workers, now):
            skipped += result.skipped
            for status, n in result.by_status.items():
                by_status[status] = by_status.get(status, 0) + n
            if result.batch is not None:
                part.write(result.batch)
                checkpoint(f"parse:shard:{shard}")  # some of the shard's rows are written
        written = part.commit()
    return PartStats(part.rows, by_status, skipped, written.name if written else None)


def finish(
    cache_dir: Path, skipped: list[tuple[str, str]], skips_path: Path, now: datetime
) -> list[Path]:
    """After every shard: the run's skipped files, then the cache of other parser versions
    removed and this one compacted; returns the parts merged."""
    rows = [{"path": rel, "reason": reason} for rel, reason in sorted(skipped)]
    write_parquet(pa.Table.from_pylist(rows, schema=SKIPPED_SCHEMA), skips_path)
    checkpoint("parse")
    prune_other_versions(cache_dir)
    return compact(cache_dir, now)


def parse_pending(
    raw_dir: Path,
    manifest_path: Path,
    cache_dir: Path,
    skips_path: Path,
    workers: int,
    now: datetime,
    max_bytes: int,
) -> ParseStats:
    """Everything not parsed yet, as one shard."""
    prepared = prepare(raw_dir, manifest_path, cache_dir, max_bytes)
    stats = parse_jobs(prepared.jobs, cache_dir, workers, now)
    merged = finish(cache_dir, stats.skipped, skips_path, now)
    return ParseStats(
        len(prepared.jobs),
        stats.parsed,
        stats.by_status,
        len(stats.skipped),
        stats.part,
        len(merged),
        prepared.parts_damaged,
    )


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
        if other == cache_dir:
            continue
        if other.is_symlink():  # never followed (the warehouse guard refuses them at start)
            other.unlink()
        elif other.is_dir():
            shutil.rmtree(other)
