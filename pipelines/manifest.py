"""The raw manifest: every file ever seen under the raw dir, with its content hash.

A file whose size and modification time are unchanged since the previous manifest keeps
its previous hash, so a nightly run reads only new or touched files. Files that have
disappeared stay in the manifest with `present = false` and their old `last_seen`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.tables import MANIFEST_SCHEMA, write_parquet


@dataclass(frozen=True)
class ManifestStats:
    present: int
    new: int
    changed: int
    removed: int
    unreadable: int


def list_raw_files(raw_dir: Path) -> list[Path]:
    """Every regular file under raw_dir, skipping dot-files and dot-directories."""
    files = []
    for path in raw_dir.rglob("*"):
        rel = path.relative_to(raw_dir)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        files.append(path)
    return sorted(files)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(path: Path) -> dict[str, dict]:
    if not path.exists():
        return {}
    return {row["path"]: row for row in pq.read_table(path).to_pylist()}


def scan(raw_dir: Path, previous: dict[str, dict], now: datetime) -> tuple[pa.Table, ManifestStats]:
    rows, new, changed, unreadable = [], 0, 0, 0
    for path in list_raw_files(raw_dir):
        rel = path.relative_to(raw_dir).as_posix()
        old = previous.get(rel)
        row = {"path": rel, "last_seen": now, "present": True, "error": None}
        try:
            st = path.stat()
            row.update(size=st.st_size, mtime_ns=st.st_mtime_ns)
            unchanged = old and (old["size"], old["mtime_ns"]) == (st.st_size, st.st_mtime_ns)
            row["sha256"] = old["sha256"] if unchanged and old["sha256"] else sha256_of(path)
        except OSError as exc:
            row.update(size=None, mtime_ns=None, sha256=None, error=exc.strerror or str(exc))
            unreadable += 1
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


def refresh_manifest(raw_dir: Path, manifest_path: Path, now: datetime) -> ManifestStats:
    table, stats = scan(raw_dir, read_manifest(manifest_path), now)
    write_parquet(table, manifest_path)
    return stats
