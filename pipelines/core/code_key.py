"""The code a warehouse was built by: one key for everything that decides its contents.

`code_key()` is the SHA-256 of the source of `parsers/` and `pipelines/`, the dbt project in
`sql/`, `pyproject.toml`, the Python version and the name (with its version) of every
installed distribution. A refresh records it in its snapshot when it starts (the manifest
step, before anything is parsed) and checks it again when it publishes: a snapshot built
while the code changed keeps no key. So a later refresh can tell, without loading Dagster,
that the published warehouse was built by exactly this code (`pipelines.core.up_to_date`).

It is coarser than the fingerprints each step keeps (a comment edited in `pipelines/`
changes it): when it differs, the refresh simply runs, and its steps decide what to rebuild.

No Dagster here.
"""

from __future__ import annotations

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


def code_key() -> str:
    """The key of the code as it is on disk now (~0.1 s)."""
    digest = hashlib.sha256()
    digest.update(f"{sys.version}\n".encode())
    for dist in dbt_project.installed_distributions():
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


def forget_unless_current(root: Path) -> bool:
    """At publish: keep the key recorded at the run's start only if the code is still the
    same (else a later refresh could take the snapshot for one built by the new code).
    True when kept."""
    if recorded(root) == code_key():
        return True
    (root / FILE).unlink(missing_ok=True)
    return False


def recorded(root: Path) -> str | None:
    """The key the snapshot at root was built by, or None (none recorded, or unreadable)."""
    try:
        value = json.loads((root / FILE).read_text(encoding="utf-8"))["code_key"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return value if isinstance(value, str) else None
