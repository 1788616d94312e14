"""Compaction of the parse cache, so that reading it stays a few files however many nights.

Each refresh that parses something adds one part (`part-*.parquet`) to the cache of its
parser version; a nightly refresh adds a small one every night. Once a cache holds more
than `MAX_PARTS` parts, its smallest parts are merged into one, leaving `MAX_PARTS // 2`:
the rows are copied as they are (their `parsed_at` included), batch by batch, so memory is
a row group plus one key per report merged. The merged part is written under a temporary name and renamed into
place, synced, before the parts it holds are removed. A refresh stopped in between leaves
those rows in the cache twice, identical; readers keep one per content hash (the tidy step
keeps the newest parse of each, and the set of parsed hashes is a set), and a compaction
copies a row once however many of its parts hold it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.core import seals
from pipelines.core.tables import PARSED_SCHEMA, SEAL_HEX, PartWriter

#: More parts than this are compacted (a year of nightly parts would be ~365).
MAX_PARTS = 32
_BATCH_ROWS = 2048


def cache_parts(cache_dir: Path) -> list[Path]:
    """The cache's parts, in name order (the order they were written in)."""
    return sorted(cache_dir.glob("part-*.parquet"))


def verify_parts(cache_dir: Path) -> list[str]:
    """Remove the parts whose bytes are not the ones their name seals (a truncated or
    overwritten file): their reports are parsed again from the raw files, which is all a
    cache part holds. Returns the names removed. Parts written before parts were sealed
    (no digest in the name) are read only for their footer."""
    removed = []
    for part in cache_parts(cache_dir):
        digest = _sealed_digest(part)
        try:
            whole = seals.sha256_of(part)[:SEAL_HEX] == digest if digest else _has_footer(part)
        except OSError:
            whole = False
        if not whole:
            part.unlink(missing_ok=True)
            removed.append(part.name)
    return removed


def _sealed_digest(part: Path) -> str | None:
    tail = part.stem.rsplit("-", 1)[-1]
    return tail if len(tail) == SEAL_HEX and all(c in "0123456789abcdef" for c in tail) else None


def _has_footer(part: Path) -> bool:
    try:
        pq.read_metadata(part)
    except (OSError, pa.ArrowException):
        return False
    return True


def part_path(cache_dir: Path, now: datetime) -> Path:
    """A new part's name: when it was written, and a random suffix."""
    return cache_dir / f"part-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}.parquet"


def compact(cache_dir: Path, now: datetime, max_parts: int | None = None) -> list[Path]:
    """Merge the smallest parts into one when there are more than `max_parts` (default
    `MAX_PARTS`); returns the parts merged (and now removed), or [] when there was nothing
    to do."""
    max_parts = MAX_PARTS if max_parts is None else max_parts
    parts = cache_parts(cache_dir)
    if len(parts) <= max_parts:
        return []
    keep = max(1, max_parts // 2) - 1  # the largest parts stay; the merged one is the last
    merged = sorted(parts, key=lambda p: (p.stat().st_size, p.name))[: len(parts) - keep]
    copied: set[tuple] = set()  # (sha256, parsed_at): one parse of one content hash
    with PartWriter(part_path(cache_dir, now), PARSED_SCHEMA, sealed=True) as out:
        for part in merged:
            for batch in pq.ParquetFile(part).iter_batches(batch_size=_BATCH_ROWS):
                shas = batch.column("sha256").to_pylist()
                times = batch.column("parsed_at").to_pylist()
                new = []
                for key in zip(shas, times, strict=True):
                    new.append(key not in copied)
                    copied.add(key)
                out.write(batch if all(new) else batch.filter(pa.array(new)))
        out.commit()
    for part in merged:
        part.unlink()
    return merged
