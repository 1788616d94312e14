"""The parse step's shards: ranges of content-hash prefixes, one Dagster step each.

The 65,536 four-hex-digit prefixes of a SHA-256 are cut into `n` equal ranges; a content
hash belongs to the range its prefix falls in, so a report's shard depends only on its
bytes (not on the raw dir's order, nor on which other files are new), and two shards never
parse the same bytes. Only ranges that hold something to parse become steps. Each shard
writes its own parse-cache part (`pipelines.core.parse_step.parse_jobs`).

Plain dataclasses (no Dagster): they travel between the steps through Dagster's IO manager
(pickled), so on a cluster the IO manager's storage must be shared (docs/SCALING.md).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime

from pipelines.core.parse_step import Job

#: Four hex digits of the content hash decide the shard.
PREFIX_DIGITS = 4
PREFIXES = 16**PREFIX_DIGITS
#: More shards than this would be steps of a handful of reports each.
MAX_SHARDS = 4096


@dataclass(frozen=True)
class Shard:
    """One parse step's work: the content hashes of one prefix range not parsed yet."""

    name: str  # `h0000_3fff`: the range of prefixes, inclusive (a Dagster mapping key)
    jobs: list[Job]
    cache_dir: str
    workers: int  # parser processes inside the step (1: the step's own process parses)
    parsed_at: datetime  # the run's time: every shard stamps its rows with the same one


@dataclass(frozen=True)
class ShardResult:
    name: str
    parsed: int
    by_status: dict[str, int]
    skipped: list[tuple[str, str]]  # (path, reason not parsed)
    part: str | None  # the cache part it wrote (None: nothing parsed)


@dataclass(frozen=True)
class ParsePlan:
    """What the step after the shards needs to know of the step before them."""

    to_parse: int  # content hashes not parsed yet, over all shards
    parts_damaged: list[str]  # cache parts removed as damaged (their reports reparsed)
    parsed_at: datetime
    shards: int  # shard steps made (ranges holding work)


def bounds(n: int) -> list[tuple[int, int]]:
    """The `n` prefix ranges, [low, high] inclusive, covering every prefix once."""
    if not 1 <= n <= MAX_SHARDS:
        raise ValueError(f"shards must be between 1 and {MAX_SHARDS}, not {n}")
    return [(i * PREFIXES // n, (i + 1) * PREFIXES // n - 1) for i in range(n)]


def shard_name(low: int, high: int) -> str:
    return f"h{low:0{PREFIX_DIGITS}x}_{high:0{PREFIX_DIGITS}x}"


def split(jobs: list[Job], n: int) -> list[tuple[str, list[Job]]]:
    """(shard name, its jobs in their given order) for each of the `n` ranges holding any."""
    ranges = bounds(n)
    lows = [low for low, _ in ranges]
    buckets: list[list[Job]] = [[] for _ in ranges]
    for job in jobs:
        buckets[bisect_right(lows, int(job.sha256[:PREFIX_DIGITS], 16)) - 1].append(job)
    return [(shard_name(*r), b) for r, b in zip(ranges, buckets, strict=True) if b]
