"""The dbt project in `sql/`: its manifest, and dbt run in this process on one snapshot.

The manifest (what `dbt parse` makes of the project's files) is made without any network
the first time this version of the files is seen, into `sql/target/parse-<key>/`, keyed by
the SHA-256 of every file of the project and the dbt versions; it is then reused by every
process (the Dagster definitions are built from it, and each run hands it to dbt, which
then does not parse at all). Nothing of it is committed, so nothing can go stale.

dbt runs in this process (`dbt.cli.main.dbtRunner`), not as a subprocess: a `dbt` process
spends seconds starting and parsing before it builds anything, and a refresh with nothing
new builds almost nothing (docs/PERFORMANCE.md). profiles.yml reads the snapshot being
built from the environment variables set around each call (`snapshot_environment`); the
DuckDB database dbt opened is closed when the call returns, so that the pipeline can open
it (and publish it) after.

No Dagster here.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipelines.core.duckdb_config import MEMORY_LIMIT, SPILL_DIR_NAME
from pipelines.core.paths import SQL_DIR, WarehouseFiles

#: The dbt project (dbt_project.yml, profiles.yml, models/, seeds/, macros/, tests/).
PROJECT_DIR = SQL_DIR
#: dbt's own output under the project (never committed): parse results, hand runs.
TARGET_DIR = PROJECT_DIR / "target"
_NOT_PROJECT_FILES = {"target", "logs", "dbt_packages"}
#: Parse results older than this, of other versions of the project's files, are removed.
_KEEP_OTHER_PARSES_S = 24 * 3600

#: What profiles.yml reads: the snapshot's database, its dir (where the sources' Parquet
#: files are) and name, and where DuckDB spills.
ENV_DATABASE = "GOVREPORTS_DBT_DATABASE"
ENV_SNAPSHOT_DIR = "GOVREPORTS_DBT_SNAPSHOT_DIR"
ENV_SNAPSHOT_ID = "GOVREPORTS_DBT_SNAPSHOT_ID"
ENV_SPILL_DIR = "GOVREPORTS_DBT_SPILL_DIR"
ENV_MEMORY_LIMIT = "GOVREPORTS_DBT_MEMORY_LIMIT"
_PROFILE_ENV = (ENV_DATABASE, ENV_SNAPSHOT_DIR, ENV_SNAPSHOT_ID, ENV_SPILL_DIR, ENV_MEMORY_LIMIT)

#: Where a run's dbt writes (run results, the docs): a hidden dir of its snapshot (hidden
#: names are neither sealed nor published), removed when the run is done with it.
RUN_TARGET_NAME = ".dbt"


def project_files() -> list[Path]:
    """Every file of the dbt project (its own output aside), sorted."""
    files = []
    for folder, dirs, names in os.walk(PROJECT_DIR):
        here = Path(folder)
        if here == PROJECT_DIR:
            dirs[:] = [d for d in dirs if d not in _NOT_PROJECT_FILES]
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files += [here / n for n in names if not n.startswith(".")]
    return sorted(files)


def project_key() -> str:
    """SHA-256 of the project's files (names and bytes) and of the dbt versions that read
    them: the manifest depends on nothing else."""
    digest = hashlib.sha256()
    for dist in _dbt_distributions():
        digest.update(f"{dist}\n".encode())
    for path in project_files():
        data = path.read_bytes()
        digest.update(f"{path.relative_to(PROJECT_DIR).as_posix()}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def _dbt_distributions() -> list[str]:
    """The installed dbt-core and dbt-duckdb (what the parse result depends on)."""
    return installed_distributions("dbt_core-*.dist-info", "dbt_duckdb-*.dist-info")


def installed_distributions(*patterns: str) -> list[str]:
    """Installed distributions, as their metadata dirs are named (name and version), found
    without importing them (importing dbt takes seconds); default: every one."""
    found = set()
    for entry in sys.path:
        folder = Path(entry or ".")
        if folder.is_dir():
            for pattern in patterns or ("*.dist-info",):
                found.update(p.name for p in folder.glob(pattern))
    return sorted(found)


def manifest_path() -> Path:
    """`manifest.json` of the project as its files are now, parsed on first use."""
    key = project_key()[:16]
    done = TARGET_DIR / f"parse-{key}"
    manifest = done / "manifest.json"
    if manifest.is_file():
        return manifest
    TARGET_DIR.mkdir(parents=True, exist_ok=True)
    staging = TARGET_DIR / f".parse-{key}-{uuid.uuid4().hex}"
    try:
        result = _invoke(["parse"], staging, env={})
        if not result.success:
            raise RuntimeError(f"dbt parse of {PROJECT_DIR} failed: {failure_text(result)}")
        try:
            staging.rename(done)
        except OSError:  # another process parsed the same files first
            if not manifest.is_file():
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    _remove_old_parses(keep=done)
    return manifest


def _remove_old_parses(keep: Path) -> None:
    now = time.time()
    for other in TARGET_DIR.glob("parse-*"):
        if other != keep and now - other.stat().st_mtime > _KEEP_OTHER_PARSES_S:
            shutil.rmtree(other, ignore_errors=True)


_MANIFESTS: dict[Path, Any] = {}
_MANIFEST_LOCK = threading.Lock()


def _manifest(done: Path) -> Any:
    """The dbt Manifest object of a parse result dir, once per process: dbt parses again
    from the parse result's `partial_parse.msgpack`, copied into a dir of its own (no
    file changed, so nothing is parsed; still ~1.6 s here). A call made while another
    thread loads it (`warm_up`) waits for that one."""
    with _MANIFEST_LOCK:
        if done not in _MANIFESTS:
            _MANIFESTS[done] = _load_manifest(done)
        return _MANIFESTS[done]


def _load_manifest(done: Path) -> Any:
    for left in done.parent.glob(".load-*"):  # (a process that stopped while loading)
        if time.time() - left.stat().st_mtime > 3600:
            shutil.rmtree(left, ignore_errors=True)
    scratch = done.parent / f".load-{uuid.uuid4().hex}"
    scratch.mkdir()
    try:
        shutil.copy2(done / "partial_parse.msgpack", scratch / "partial_parse.msgpack")
        result = _invoke(["parse", "--no-write-json"], scratch, env={})
        if not result.success:
            raise RuntimeError(f"dbt parse of {PROJECT_DIR} failed: {failure_text(result)}")
        return result.result
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def warm_up() -> None:
    """Load the manifest in a background thread, so that the first `run` of this process
    finds it loaded: a refresh run in this process calls it when it starts, and the steps
    before dbt's (the manifest, the parse, the tidy tables: mostly other processes, DuckDB
    threads and the disk) leave the CPU time it takes (~1.6 s) free. A failure here is
    left to `run`, which loads it again and raises."""

    def load() -> None:
        try:
            _manifest(manifest_path().parent)
        except Exception:  # noqa: BLE001 - run() loads it again and reports the error
            pass

    threading.Thread(target=load, name="dbt-manifest-warm-up", daemon=True).start()


def glob_literal(path: str) -> str:
    """`path` as a DuckDB file pattern that matches only itself: the sources read the fact
    tables' parts with a pattern (`<dir>/part-*.parquet`), in which DuckDB would read `[`,
    `]`, `*` and `?` of the snapshot's own path as wildcards (a warehouse dir named `x[1]`
    then matched nothing). Each is written as a one-character class (`[[]`)."""
    return "".join(f"[{c}]" if c in "[]*?" else c for c in path)


def snapshot_environment(files: WarehouseFiles) -> dict[str, str]:
    """What profiles.yml reads to build `files` (a snapshot)."""
    return {
        ENV_DATABASE: str(files.duckdb),
        ENV_SNAPSHOT_DIR: glob_literal(str(files.root)),
        ENV_SNAPSHOT_ID: files.root.name,
        ENV_SPILL_DIR: str(files.root / SPILL_DIR_NAME),
        ENV_MEMORY_LIMIT: MEMORY_LIMIT,
    }


def run(
    args: Sequence[str],
    files: WarehouseFiles,
    callbacks: Sequence[Callable[[Any], None]] = (),
) -> Any:
    """`dbt <args>` on the snapshot `files`, in this process, with the cached manifest.
    Returns dbt's `dbtRunnerResult`; the database is closed when it returns."""
    target = files.root / RUN_TARGET_NAME
    manifest = _manifest(manifest_path().parent)
    return _invoke(args, target, snapshot_environment(files), callbacks, manifest)


def _invoke(
    args: Sequence[str],
    target: Path,
    env: dict[str, str],
    callbacks: Sequence[Callable[[Any], None]] = (),
    manifest: Any = None,
) -> Any:
    from dbt.cli.main import dbtRunner

    common = [
        "--project-dir",
        str(PROJECT_DIR),
        "--profiles-dir",
        str(PROJECT_DIR),
        "--target-path",
        str(target),
        "--log-path",
        str(target),
        "--log-level",
        "none",
        "--log-level-file",
        "none",
        "--no-use-colors",
        "--no-send-anonymous-usage-stats",
        "--no-version-check",
    ]
    with _environment(env):
        try:
            return dbtRunner(manifest=manifest, callbacks=list(callbacks)).invoke([*args, *common])
        finally:
            close_database()


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """os.environ with `values` set and the other profile variables unset (a parse then
    sees the defaults), restored after."""
    saved = {key: os.environ.get(key) for key in _PROFILE_ENV}
    for key in _PROFILE_ENV:
        os.environ.pop(key, None)
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def close_database() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process (profiles.yml:
    keep_open, so that the models of one call share it), checkpointing it into its file."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    with DuckDBConnectionManager._LOCK:
        environment, DuckDBConnectionManager._ENV = DuckDBConnectionManager._ENV, None
    if environment is not None:
        environment.close()


def failure_text(result: Any) -> str:
    """What went wrong in a dbt call, in a few lines: its exception, else the nodes that
    did not succeed and dbt's message for each."""
    if result.exception is not None:
        return str(result.exception).strip()
    lines, skipped = [], 0
    for node in getattr(result.result, "results", None) or []:
        if str(node.status) == "skipped":
            skipped += 1
        elif str(node.status) not in ("success", "pass", "warn"):
            lines.append(f"{node.node.name}: {node.status}: {(node.message or '').strip()}")
    if skipped:
        lines.append(f"({skipped} nodes downstream skipped)")
    return "\n".join(lines[:_SHOWN_FAILURES]) or "dbt did not succeed"


_SHOWN_FAILURES = 6
