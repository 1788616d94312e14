"""The raw manifest: every entry ever seen under the raw dir, with its content hash.

A file whose size and modification time are unchanged since the previous manifest keeps
its previous hash, so a nightly run reads only new or touched files. Entries that are not
read (links, special files, files that cannot be opened) are listed with the reason in
`error`. Files that have disappeared stay in the manifest with `present = false` and
their old `last_seen`.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines import rawfiles
from pipelines.tables import MANIFEST_SCHEMA, write_parquet


@dataclass(frozen=True)
class ManifestStats:
    present: int
    new: int
    changed: int
    removed: int
    unreadable: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with rawfiles.open_regular(path) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    return {row["path"]: row for row in pq.read_table(path).to_pylist()}


def _describe(entry: rawfiles.RawEntry, old: dict | None) -> dict:
    """size, mtime_ns, sha256 and error of one entry (hashing it only when it changed)."""
    if entry.problem:
        return {"size": None, "mtime_ns": None, "sha256": None, "error": entry.problem}
    try:
        st = os.lstat(entry.path)
        unchanged = old and (old["size"], old["mtime_ns"]) == (st.st_size, st.st_mtime_ns)
        sha = old["sha256"] if unchanged and old["sha256"] else sha256_of(entry.path)
        return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "sha256": sha, "error": None}
    except OSError as exc:
        return {
            "size": None,
            "mtime_ns": None,
            "sha256": None,
            "error": rawfiles.describe_error(exc),
        }


def scan(raw_dir: Path, previous: dict[str, dict], now: datetime) -> tuple[pa.Table, ManifestStats]:
    rows, new, changed, unreadable = [], 0, 0, 0
    for entry in rawfiles.scan_raw_dir(raw_dir):
        old = previous.get(entry.rel)
        row = {"path": entry.rel, "last_seen": now, "present": True, **_describe(entry, old)}
        unreadable += row["error"] is not None
        if old is None:
            new += 1
            row.update(first_seen=now, content_first_seen=now)
        else:
            content_changed = row["sha256"] != old["sha256"]
            changed += content_changed
            row.update(
                first_seen=old["first_seen"],
                content_first_seen=now if content_changed else old["content_first_seen"],
            )
        rows.append(row)
    seen = {row["path"] for row in rows}
    gone = [dict(old, present=False) for rel, old in previous.items() if rel not in seen]
    removed = sum(1 for old in gone if previous[old["path"]]["present"])
    table = pa.Table.from_pylist(
        sorted(rows + gone, key=lambda r: r["path"]), schema=MANIFEST_SCHEMA
    )
    return table, ManifestStats(len(seen), new, changed, removed, unreadable)


def refresh_manifest(
    raw_dir: Path, previous_path: Path, out_path: Path, now: datetime
) -> ManifestStats:
    """Scan raw_dir against the manifest at previous_path; write the new one to out_path."""
    table, stats = scan(raw_dir, read_manifest(previous_path), now)
    write_parquet(table, out_path)
    return stats
