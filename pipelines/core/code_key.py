"""The code a warehouse was built by: one key for everything that decides its contents.

`code_key()` is the SHA-256 of the source of `parsers/` and `pipelines/`, the dbt project in
`sql/`, `pyproject.toml`, the Python version and the name (with its version) of every
installed distribution. The refresh records it in each snapshot it publishes
(`code_key.json`), so that a later refresh can tell, without loading Dagster, that the
published warehouse was built by exactly this code (`pipelines.core.up_to_date`).

It is coarser than the fingerprints each step keeps (a comment edited in `pipelines/`
changes it): when it differs, the refresh simply runs, and its steps decide what to rebuild.

No Dagster here.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
import uuid
from pathlib import Path

from pipelines.core import dbt_project
from pipelines.core.paths import PROJECT_ROOT

FILE = "code_key.json"
_SOURCE_DIRS = ("parsers", "pipelines")
_SKIPPED_DIRS = {"__pycache__"}


def _source_files() -> list[Path]:
    files = []
    for name in _SOURCE_DIRS:
        for folder, dirs, names in os.walk(PROJECT_ROOT / name):
            dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS and not d.startswith("."))
            files += [Path(folder) / n for n in names if not n.startswith(".")]
    return sorted(files) + dbt_project.project_files() + [PROJECT_ROOT / "pyproject.toml"]


def _distributions() -> list[str]:
    """Every installed distribution's metadata dir name (name and version), found without
    importing anything."""
    found = set()
    for entry in sys.path:
        folder = Path(entry or ".")
        if folder.is_dir():
            found.update(p.name for p in folder.glob("*.dist-info"))
    return sorted(found)


@functools.cache
def code_key() -> str:
    """(Once per process: the code as it was when the process first asked.)"""
    digest = hashlib.sha256()
    digest.update(f"{sys.version}\n".encode())
    for dist in _distributions():
        digest.update(f"{dist}\n".encode())
    for path in _source_files():
        data = path.read_bytes()
        rel = path.relative_to(PROJECT_ROOT).as_posix()
        digest.update(f"{rel}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def record(root: Path, key: str) -> None:
    """Write `code_key.json` into the snapshot at root (renamed into place)."""
    tmp = root / f".{FILE}.{uuid.uuid4().hex}.tmp"
    tmp.write_text(json.dumps({"code_key": key}), encoding="utf-8")
    os.replace(tmp, root / FILE)


def recorded(root: Path) -> str | None:
    """The key the snapshot at root was built by, or None (none recorded, or unreadable)."""
    try:
        value = json.loads((root / FILE).read_text(encoding="utf-8"))["code_key"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, str) else None
