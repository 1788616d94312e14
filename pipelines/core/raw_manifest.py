"""The raw manifest: every entry ever seen under the raw dir, with its content hash.

A file keeps its previous hash only while its size, modification time, status-change time
(ctime) and inode are all unchanged since the previous manifest, so a nightly run reads
only new or touched files. The ctime cannot be set back by a program (`touch -d` and
`os.utime` set mtime, and changing anything moves ctime), so a file rewritten with the same
size and a restored mtime, or replaced by another file, is read again. What none of these
show (bytes changed under the file system, bit rot) is caught by a slow sweep: each
refresh also re-reads the files of one of `REHASH_SLICES` slices of the paths, a different
slice each day, so every file is read again at least once every two months. Entries that are not
read (links, special files, files that cannot be opened) are listed with the reason in
`error`. Files that have disappeared stay in the manifest with `present = false` and
`gone_since` (the first refresh that no longer saw them).

A refresh that finds nothing new writes exactly the manifest it read (nothing in it names the
refresh that wrote it), so nothing downstream of it has anything to rebuild.

The raw dir is listed once (plain strings), each entry stat'ed once; matching it with the
previous manifest is a join in DuckDB over Arrow tables, not a dict per file.
"""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipelines.core import fingerprints
from pipelines.core.raw_dir import advise_will_read, describe_error, scan_raw_dir, sha256_of
from pipelines.core.tables import MANIFEST_SCHEMA, TS, write_parquet


@dataclass(frozen=True)
class ManifestStats:
    present: int
    new: int
    changed: int
    removed: int
    unreadable: int
    previous_unreadable: str | None = None


#: What the scan found now: one row per entry (size and mtime_ns null when not stat'ed).
_SEEN = pa.schema(
    [
        ("path", pa.string()),
        ("size", pa.int64()),
        ("mtime_ns", pa.int64()),
        ("ctime_ns", pa.int64()),
        ("inode", pa.int64()),
        ("error", pa.string()),
    ]
)
_HASHED = pa.schema([("path", pa.string()), ("sha256", pa.string()), ("error", pa.string())])

#: Every file is read again at least once in this many days (see the module docstring); at
#: 100k files a day's slice costs ~0.3 s with the files cached.
REHASH_SLICES = 60

# Entries whose bytes must be read: regular files that are new, whose size, mtime, ctime or
# inode changed, that had no hash before, or whose path falls in today's re-read slice.
_TO_HASH = """
SELECT s.path
FROM seen AS s LEFT JOIN previous AS p USING (path)
WHERE s.error IS NULL
  AND NOT coalesce(
      p.sha256 IS NOT NULL AND p.size = s.size AND p.mtime_ns = s.mtime_ns
      AND p.ctime_ns = s.ctime_ns AND p.inode = s.inode
      AND hash(s.path) % $slices <> $slice,
      false)
ORDER BY s.path
"""

# The new manifest: what is present now (a hash read now, else the previous one), then
# what was seen before and is gone now, as it was, with present = false.
_MANIFEST = """
WITH now_seen AS (
    SELECT
        s.path,
        CASE WHEN h.error IS NULL THEN s.size END AS size,
        CASE WHEN h.error IS NULL THEN s.mtime_ns END AS mtime_ns,
        CASE WHEN h.error IS NULL THEN s.ctime_ns END AS ctime_ns,
        CASE WHEN h.error IS NULL THEN s.inode END AS inode,
        CASE WHEN s.error IS NULL AND h.error IS NULL THEN coalesce(h.sha256, p.sha256) END
            AS sha256,
        coalesce(s.error, h.error) AS error,
        p.path IS NULL AS is_new,
        p.path IS NOT NULL AND p.sha256 IS DISTINCT FROM
            (CASE WHEN s.error IS NULL AND h.error IS NULL THEN coalesce(h.sha256, p.sha256) END)
            AS content_changed,
        p.first_seen AS old_first_seen,
        p.content_first_seen AS old_content_first_seen
    FROM seen AS s
    LEFT JOIN hashed AS h USING (path)
    LEFT JOIN previous AS p USING (path)
)
SELECT path, size, mtime_ns, ctime_ns, inode, sha256, error, true AS present,
    coalesce(old_first_seen, $now) AS first_seen,
    CASE WHEN is_new OR content_changed THEN $now ELSE old_content_first_seen END
        AS content_first_seen,
    NULL::TIMESTAMPTZ AS gone_since,
    is_new, content_changed, false AS removed_now,
    error IS NOT NULL AS not_read_now  -- by the scan (listed only) or by hashing
FROM now_seen
UNION ALL
SELECT path, size, mtime_ns, ctime_ns, inode, sha256, error, false, first_seen,
    content_first_seen, CASE WHEN present THEN $now ELSE gone_since END AS gone_since,
    false, false, present, false
FROM previous
WHERE path NOT IN (SELECT path FROM seen)
ORDER BY path
"""


def read_manifest(path: Path) -> pa.Table:
    if not path.exists():
        return MANIFEST_SCHEMA.empty_table()
    with pq.ParquetFile(path) as parquet:  # (not pq.read_table: it imports pyarrow.dataset, ~0.5 s)
        table = parquet.read()
    if "gone_since" not in table.column_names and "last_seen" in table.column_names:
        # a manifest written when it had `last_seen` (moved by every refresh) instead: a path
        # gone by then was not seen since its last_seen
        present = table.column("present")
        gone = pc.if_else(present, pa.scalar(None, TS), table.column("last_seen"))
        table = table.append_column(pa.field("gone_since", TS), gone)
    for field in MANIFEST_SCHEMA:  # a manifest written before a column was added
        if field.name not in table.column_names:
            table = table.append_column(field, pa.nulls(table.num_rows, field.type))
    return table.select(MANIFEST_SCHEMA.names).cast(MANIFEST_SCHEMA)


def _seen(raw_dir: Path) -> tuple[pa.Table, dict[str, str]]:
    """(path, size, mtime_ns, ctime_ns, inode, error) of every entry now, and path → its
    full path."""
    paths, sizes, mtimes, ctimes, inodes, errors, full = [], [], [], [], [], [], {}
    for entry in scan_raw_dir(raw_dir):
        size = mtime = ctime = inode = error = None
        if entry.problem:
            error = entry.problem
        else:
            try:
                st = os.lstat(entry.path)
                size, mtime, ctime = st.st_size, st.st_mtime_ns, st.st_ctime_ns
                inode = st.st_ino - (1 << 64) if st.st_ino >= 1 << 63 else st.st_ino  # as int64
            except OSError as exc:
                error = describe_error(exc)
        paths.append(entry.rel)
        sizes.append(size)
        mtimes.append(mtime)
        ctimes.append(ctime)
        inodes.append(inode)
        errors.append(error)
        full[entry.rel] = entry.path
    table = pa.Table.from_arrays(
        [
            pa.array(paths, pa.string()),
            pa.array(sizes, pa.int64()),
            pa.array(mtimes, pa.int64()),
            pa.array(ctimes, pa.int64()),
            pa.array(inodes, pa.int64()),
            pa.array(errors, pa.string()),
        ],
        schema=_SEEN,
    )
    return table, full


# Files are hashed in one thread, a chunk of paths at a time, with the kernel asked to read
# the files of the chunks ahead into the page cache meanwhile (`advise_will_read`): reading
# files that are not cached is bound by the disk's latency, and the readahead overlaps those
# reads without a thread per read. Measured on 30,000 files of the benchmark's corpus
# (~10 KB each), page cache dropped / warm: one thread 4.15 / 0.88 s, four threads (the
# earlier code: each file's open, read and hash hold the GIL, so they mostly contend)
# 3.24 / 2.54 s, one thread with the readahead 1.27 / 0.89 s.
_HASH_CHUNK = 256
_READ_AHEAD_CHUNKS = 2


def _hash_each(rels: list[str], full: dict[str, str]) -> list[tuple[str | None, str | None]]:
    out = []
    for rel in rels:
        try:
            out.append((sha256_of(full[rel]), None))
        except OSError as exc:
            out.append((None, describe_error(exc)))
    return out


def _hash(rels: list[str], full: dict[str, str]) -> pa.Table:
    """sha256 (or why it could not be read) of the files whose bytes must be read."""
    chunks = [rels[i : i + _HASH_CHUNK] for i in range(0, len(rels), _HASH_CHUNK)]
    for ahead in chunks[:_READ_AHEAD_CHUNKS]:
        advise_will_read(full[rel] for rel in ahead)
    results = []
    for i, chunk in enumerate(chunks):
        if i + _READ_AHEAD_CHUNKS < len(chunks):
            advise_will_read(full[rel] for rel in chunks[i + _READ_AHEAD_CHUNKS])
        results += _hash_each(chunk, full)
    shas = [sha for sha, _ in results]
    errors = [error for _, error in results]
    return pa.Table.from_arrays(
        [pa.array(rels, pa.string()), pa.array(shas, pa.string()), pa.array(errors, pa.string())],
        schema=_HASHED,
    )


def scan(raw_dir: Path, previous: pa.Table, now: datetime) -> tuple[pa.Table, ManifestStats]:
    seen, full = _seen(raw_dir)
    con = duckdb.connect()
    try:
        con.register("seen", seen)
        con.register("previous", previous)
        today = (now - datetime(2000, 1, 1, tzinfo=now.tzinfo)).days
        slices = {"slices": REHASH_SLICES, "slice": today % REHASH_SLICES}
        to_hash = [row[0] for row in con.execute(_TO_HASH, slices).fetchall()]
        con.register("hashed", _hash(to_hash, full))
        result = con.execute(_MANIFEST, {"now": now}).to_arrow_table()
    finally:
        con.close()
    stats = ManifestStats(
        present=seen.num_rows,
        new=_count(result, "is_new"),
        changed=_count(result, "content_changed"),
        removed=_count(result, "removed_now"),
        unreadable=_count(result, "not_read_now"),
    )
    manifest = result.select(MANIFEST_SCHEMA.names).cast(MANIFEST_SCHEMA)
    return manifest, stats


#: A scan handed from `govreports refresh`'s check to the run it launches (`remember_scan`).
_HANDED: dict[tuple[str, str], tuple[float, pa.Table, ManifestStats]] = {}
#: A handed scan older than this is not taken (the run starts seconds after the check).
HANDED_SCAN_MAX_AGE_S = 120.0


def remember_scan(raw_dir: Path, previous: pa.Table, scanned: tuple[pa.Table, ManifestStats]):
    """Keep a scan of raw_dir against `previous` for the run about to start in this process:
    `govreports refresh` scans to learn whether anything is new (`pipelines.core.up_to_date`),
    and the run it then launches takes that scan (`take_scan`) instead of listing and
    stat'ing every file again (~2–3 s at 100k files). The run's manifest is then the raw dir
    as it was seconds earlier, when the refresh began; what changes after that, the next
    refresh finds."""
    _HANDED.clear()
    _HANDED[(str(raw_dir), fingerprints.table_digest(previous))] = (time.monotonic(), *scanned)


def forget_scan() -> None:
    _HANDED.clear()


def take_scan(raw_dir: Path, previous: pa.Table) -> tuple[pa.Table, ManifestStats] | None:
    """The scan kept by `remember_scan` for this raw dir and previous manifest (once), if
    recent; else None."""
    if not _HANDED:
        return None
    found = _HANDED.pop((str(raw_dir), fingerprints.table_digest(previous)), None)
    _HANDED.clear()
    if found is None or time.monotonic() - found[0] > HANDED_SCAN_MAX_AGE_S:
        return None
    return found[1], found[2]


def _count(table: pa.Table, column: str) -> int:
    return int(pc.sum(table.column(column)).as_py() or 0)


def refresh_manifest(
    raw_dir: Path, previous_path: Path, out_path: Path, now: datetime
) -> ManifestStats:
    """Scan raw_dir against the manifest at previous_path; write the new one to out_path.
    A previous manifest that cannot be read is started again from the raw files (every
    file is hashed; `first_seen` starts again), with the reason in the stats."""
    problem = None
    try:
        previous = read_manifest(previous_path)
    except (OSError, pa.ArrowException) as exc:
        previous = MANIFEST_SCHEMA.empty_table()
        problem = f"the previous manifest could not be read ({exc}); rebuilt from the raw files"
    table, stats = take_scan(raw_dir, previous) or scan(raw_dir, previous, now)
    # the file carries the digest of its rows: one that holds these rows already is kept as it
    # is (nothing downstream sees a change); else written
    fingerprint = fingerprints.table_digest(table)
    if fingerprints.of_file(out_path) != fingerprint:
        write_parquet(fingerprints.with_fingerprint(table, fingerprint), out_path)
    return dataclasses.replace(stats, previous_unreadable=problem)
