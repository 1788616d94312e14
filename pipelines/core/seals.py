"""A snapshot's seal: the SHA-256 of every file in it, so damage is found before reuse.

A refresh starts its snapshot as a copy of the published one and keeps every output whose
inputs did not change (`pipelines.core.fingerprints`). A fingerprint says what a file was built
from, not that its bytes are still whole: a truncated mart, bytes overwritten inside a
Parquet file or a damaged block of `warehouse.duckdb` would be carried into every later
snapshot. So `publish` writes `seal.json` into the snapshot (size, mtime, inode and SHA-256
of each file), and the next refresh checks every file against it as it carries it over: a
file whose bytes differ is left behind, and the step that writes it rebuilds it, exactly
as it would for a warehouse that never had it.

Why our own: Parquet's page checksums are optional (not every writer fills them, readers
check them only when asked) and cover neither a truncated footer nor every byte, and
DuckDB's block checksums are checked only for the blocks a query happens to read.
Only the files a refresh reuses are read for it; a file the refresh rewrites is hashed once,
when its snapshot is sealed (a file carried over unchanged keeps the hash checked at start).
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

from pipelines.core import raw_dir

SEAL = "seal.json"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Sealed:
    size: int
    mtime_ns: int
    inode: int
    sha256: str

    def matches(self, st: os.stat_result) -> bool:
        """The file is the one hashed (same inode, size and mtime): no need to hash again."""
        return (self.size, self.mtime_ns, self.inode) == (st.st_size, st.st_mtime_ns, st.st_ino)


#: A file's SHA-256 (a warehouse file is a regular file; a link is refused, never followed).
sha256_of = raw_dir.sha256_of


def copy_hashing(src: Path, dst: Path) -> str:
    """Copy src to dst (new file) in one pass that also hashes the bytes; returns the hash."""
    digest = hashlib.sha256()
    with open(src, "rb", buffering=0) as fin, open(dst, "xb") as fout:
        while chunk := fin.read(_CHUNK):
            digest.update(chunk)
            fout.write(chunk)
    st = os.stat(src)
    os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns))
    return digest.hexdigest()


def entry_of(path: Path, sha256: str) -> Sealed:
    st = os.stat(path, follow_symlinks=False)
    return Sealed(st.st_size, st.st_mtime_ns, st.st_ino, sha256)


def read_seal(root: Path) -> dict[str, Sealed] | None:
    """The seal of the snapshot at root: relative path → what was sealed. None when there
    is none (a warehouse written before seals). A seal that cannot be read is an empty one
    (nothing can be verified, so nothing is reused)."""
    path = root / SEAL
    try:
        with open(path, "rb") as fh:
            data = json.loads(fh.read())
        return {rel: Sealed(**entry) for rel, entry in data["files"].items()}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def write_seal(root: Path, files: dict[str, Sealed]) -> None:
    """Write the seal of root (synced by the caller's sync of the snapshot)."""
    tmp = root / f".{SEAL}.{uuid.uuid4().hex}.tmp"
    body = {"version": 1, "files": {rel: asdict(e) for rel, e in sorted(files.items())}}
    tmp.write_text(json.dumps(body, indent=0), encoding="utf-8")
    os.replace(tmp, root / SEAL)


def sealable_files(root: Path) -> list[str]:
    """The files of a snapshot a seal covers: every regular file but temporary ones (names
    starting with '.', DuckDB's `.wal`, the seal itself), as paths relative to root."""
    out = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if name.startswith(".") or name.endswith(".wal") or name == SEAL:
                continue
            path = os.path.join(folder, name)
            if os.path.isfile(path) and not os.path.islink(path):
                out.append(os.path.relpath(path, root))
    return sorted(out)


def verifies(root: Path) -> bool:
    """Every file of the snapshot at root is the one sealed, byte for byte (each is hashed),
    and the seal names every file there."""
    sealed = read_seal(root)
    if not sealed or set(sealed) != set(sealable_files(root)):
        return False
    return all(sha256_of(root / rel) == entry.sha256 for rel, entry in sealed.items())


def seal(root: Path) -> dict[str, Sealed]:
    """Seal the snapshot at root: hash every file that is not the one already sealed
    there (a file carried over and checked at start keeps its entry)."""
    known = read_seal(root) or {}
    files = {}
    for rel in sealable_files(root):
        path = root / rel
        st = os.stat(path, follow_symlinks=False)
        entry = known.get(rel)
        files[rel] = entry if entry and entry.matches(st) else entry_of(path, sha256_of(path))
    write_seal(root, files)
    return files
