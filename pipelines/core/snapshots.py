"""Build the next warehouse aside, then switch readers to it in one rename.

    <warehouse dir>/
      snapshots/<run id>/       one complete warehouse: *.parquet, marts/, warehouse.duckdb
      current -> snapshots/<run id>                     the published snapshot
      warehouse.duckdb -> current/warehouse.duckdb      what readers open (one link per
      reports.parquet -> current/reports.parquet        published name, created once)
      …, marts -> current/marts

A refresh writes only inside its own snapshot, which starts as a copy of the published one
(Parquet files hard-linked, the DuckDB file copied), so the published files are never
written to. `publish` syncs the snapshot to disk and replaces the `current` link by
rename(2): a reader opening any published path sees the old warehouse or the new one,
never a mix, and a refresh killed at any point leaves the old one in place. Publishing
keeps the previous snapshot (a reader may be opening it at that moment); the next refresh
removes it, and whatever killed or failed runs left behind, when it starts.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

from pipelines.core import seals
from pipelines.core.faults import checkpoint
from pipelines.core.paths import PUBLISHED, WarehouseFiles, WarehouseLayout

_STARTING = ".starting-"


def published_snapshot(layout: WarehouseLayout) -> Path | None:
    """The snapshot dir `current` points to, or None before the first publish."""
    if not layout.current.is_symlink():
        return None
    target = layout.current.resolve()
    return target if target.is_dir() else None


def start(layout: WarehouseLayout, name: str) -> WarehouseFiles:
    """The snapshot `name`, created on first use as a copy of the published one.

    Safe to call from several processes of one run at once (steps of the run on the
    multiprocess or Dask executor): each process copies into a staging dir of its own
    (`.starting-<name>-<pid>-<random>`), the first rename to `<name>` wins, and a process
    that loses (the name is taken by then) removes its copy and uses the winner's. The
    cleanup of other runs' snapshots spares everything of this run."""
    files = layout.snapshot(name)
    if files.root.is_dir():
        return files
    layout.snapshots.mkdir(parents=True, exist_ok=True)
    source = published_snapshot(layout)
    # left by killed or failed runs, and the one before the published one (readers that had
    # it open keep their open files)
    remove_other_snapshots(layout, {source} if source else set(), run=name)
    staging = layout.snapshots / f"{_STARTING}{name}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        if source is not None:
            _carry_over(source, staging)
        staging.rename(files.root)
    except OSError:
        if not files.root.is_dir():  # not a lost race: a real error
            raise
        shutil.rmtree(staging, ignore_errors=True)  # another process of the run was first
    return files


def not_carried(files: WarehouseFiles) -> list[str]:
    """The published files a snapshot did not take over because they were damaged (each
    with why); the steps that write them rebuilt them."""
    try:
        return json.loads((files.root / _NOT_CARRIED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []


_NOT_CARRIED = "not_carried.json"


def _carry_over(source: Path, staging: Path) -> None:
    """Copy the published snapshot into `staging`: Parquet files are hard-linked (never
    modified in place, only replaced), the DuckDB file is copied. Each file is checked
    against the published seal as it is carried (`pipelines.core.seals`); a damaged one is left
    behind and named in `not_carried.json`. A warehouse sealed before seals existed is
    carried as it is."""
    sealed = seals.read_seal(source)
    checked: dict[str, seals.Sealed] = {}
    left: list[str] = []
    for rel in seals.sealable_files(source):
        if rel == _NOT_CARRIED:
            continue
        src, dst = source / rel, staging / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        expected = None if sealed is None else sealed.get(rel)
        if sealed is not None and expected is None:
            left.append(f"{rel}: not in the snapshot's seal")
            continue
        if rel.endswith(".parquet") and _hard_link(src, dst):
            digest = seals.sha256_of(dst) if expected else None
        else:
            digest = seals.copy_hashing(src, dst)
        if expected is not None and digest != expected.sha256:
            dst.unlink()
            left.append(f"{rel}: damaged (its bytes differ from the sealed ones)")
            continue
        if digest is not None:
            checked[rel] = seals.entry_of(dst, digest)
    seals.write_seal(staging, checked)
    if left:
        (staging / _NOT_CARRIED).write_text(json.dumps(left, ensure_ascii=False), "utf-8")


def _hard_link(src: Path, dst: Path) -> bool:
    try:
        os.link(src, dst)
        return True
    except OSError:
        return False


def publish(layout: WarehouseLayout, name: str) -> Path | None:
    """Make snapshot `name` the published warehouse; returns the one it replaced."""
    snapshot = layout.snapshot(name).root
    if not snapshot.is_dir():
        raise FileNotFoundError(f"no snapshot {snapshot} to publish")
    (snapshot / _NOT_CARRIED).unlink(missing_ok=True)
    make_read_only(snapshot / "warehouse.duckdb")
    seals.seal(snapshot)
    _sync_tree(snapshot)
    checkpoint("publish:switch")
    previous = published_snapshot(layout)
    _replace_with_link(layout.current, Path(layout.snapshots.name) / name)
    _sync_dir(layout.root)
    for entry in PUBLISHED:
        _publish_link(layout, entry)
    _sync_dir(layout.root)
    checkpoint("publish:cleanup")
    keep = {snapshot.resolve()} | ({previous} if previous else set())
    remove_other_snapshots(layout, keep)
    return previous


def make_read_only(path: Path) -> None:
    """A published database is read-only on disk: `duckdb.connect(path)`, read-write by
    default, then fails (for anyone but root) instead of writing a scratch table into the
    published warehouse. The next refresh works on a copy, which is writable."""
    if path.is_file() and not path.is_symlink():
        os.chmod(path, 0o444)


def remove_other_snapshots(
    layout: WarehouseLayout, keep: set[Path], run: str | None = None
) -> None:
    """Snapshots of killed or older refreshes (the writer lock makes this safe). Links are
    never followed: `snapshots` itself must be a directory, and a link in it is removed, not
    what it points to (`warehouse_guard.check_layout` refuses both before a refresh).
    With `run`, that run's snapshot and staging copies are kept as well (another process
    of the run may be making them)."""
    import stat

    from pipelines.core.warehouse_guard import WarehouseLayoutError, describe, lstat

    st = lstat(layout.snapshots)
    if st is None:
        return
    if not stat.S_ISDIR(st.st_mode):
        raise WarehouseLayoutError(
            layout.snapshots, describe(layout.snapshots, st), "a directory of snapshots"
        )
    ours = (run, f"{_STARTING}{run}-") if run else None
    for child in layout.snapshots.iterdir():
        try:
            mode = child.lstat().st_mode
        except FileNotFoundError:  # renamed or removed by another process of the run
            continue
        if ours and (child.name == ours[0] or child.name.startswith(ours[1])):
            continue
        if not stat.S_ISDIR(mode):
            child.unlink(missing_ok=True)
        elif child.resolve() not in keep:
            # removes links inside, never what they point to; another process of the run
            # may be removing the same tree at the same time: what it removed is gone already
            shutil.rmtree(child, onerror=_ignore_gone)


def _ignore_gone(func, path, exc_info) -> None:
    """`shutil.rmtree`'s error handler: an entry already removed (by another process of the
    run removing the same tree) is no error; anything else is raised."""
    if not issubclass(exc_info[0], FileNotFoundError):
        raise exc_info[1]


def links_in_place(layout: WarehouseLayout) -> bool:
    """Every name readers open in the warehouse dir is the link publish makes."""
    return all(_link_in_place(layout, entry) for entry in PUBLISHED)


def _link_in_place(layout: WarehouseLayout, entry: str) -> bool:
    path = layout.root / entry
    return path.is_symlink() and Path(os.readlink(path)) == Path(layout.current.name) / entry


def _publish_link(layout: WarehouseLayout, entry: str) -> None:
    """`<warehouse dir>/<entry>` → `current/<entry>`, replacing a file of the old layout."""
    path, target = layout.root / entry, Path(layout.current.name) / entry
    if _link_in_place(layout, entry):
        return
    if path.is_dir() and not path.is_symlink():  # marts/ of a warehouse built before snapshots
        aside = layout.snapshots / f".old-{entry}"
        if aside.exists():
            shutil.rmtree(aside)
        path.rename(aside)
    _replace_with_link(path, target)


def _replace_with_link(path: Path, target: Path) -> None:
    tmp = path.with_name(f".{path.name}.link.tmp")
    tmp.unlink(missing_ok=True)
    os.symlink(target, tmp)
    os.replace(tmp, path)


def _sync_tree(root: Path) -> None:
    for folder, _dirs, names in os.walk(root):
        for name in names:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _sync_dir(Path(folder))


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
