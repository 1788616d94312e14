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

import os
import shutil
from pathlib import Path

from pipelines.faults import checkpoint
from pipelines.paths import PUBLISHED, WarehouseFiles, WarehouseLayout

_STARTING = ".starting-"


def published_snapshot(layout: WarehouseLayout) -> Path | None:
    """The snapshot dir `current` points to, or None before the first publish."""
    if not layout.current.is_symlink():
        return None
    target = layout.current.resolve()
    return target if target.is_dir() else None


def start(layout: WarehouseLayout, name: str) -> WarehouseFiles:
    """The snapshot `name`, created on first use as a copy of the published one."""
    files = layout.snapshot(name)
    if files.root.is_dir():
        return files
    layout.snapshots.mkdir(parents=True, exist_ok=True)
    source = published_snapshot(layout)
    # left by killed or failed runs, and the one before the published one (readers that had
    # it open keep their open files)
    remove_other_snapshots(layout, {source} if source else set())
    staging = layout.snapshots / f"{_STARTING}{name}"
    if source is None:
        staging.mkdir()
    else:
        shutil.copytree(source, staging, copy_function=_link_or_copy, ignore=_temporary)
    staging.rename(files.root)
    return files


def publish(layout: WarehouseLayout, name: str) -> Path | None:
    """Make snapshot `name` the published warehouse; returns the one it replaced."""
    snapshot = layout.snapshot(name).root
    if not snapshot.is_dir():
        raise FileNotFoundError(f"no snapshot {snapshot} to publish")
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


def remove_other_snapshots(layout: WarehouseLayout, keep: set[Path]) -> None:
    """Snapshots of killed or older refreshes (the writer lock makes this safe)."""
    if not layout.snapshots.is_dir():
        return
    for child in layout.snapshots.iterdir():
        if child.resolve() not in keep:
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()


def _publish_link(layout: WarehouseLayout, entry: str) -> None:
    """`<warehouse dir>/<entry>` → `current/<entry>`, replacing a file of the old layout."""
    path, target = layout.root / entry, Path(layout.current.name) / entry
    if path.is_symlink() and Path(os.readlink(path)) == target:
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


def _link_or_copy(src: str, dst: str) -> None:
    """Parquet files are never modified in place (only replaced): share them."""
    if src.endswith(".parquet"):
        try:
            os.link(src, dst)
            return
        except OSError:
            pass
    shutil.copy2(src, dst)


def _temporary(_dir: str, names: list[str]) -> set[str]:
    return {n for n in names if n.startswith(".") or n.endswith(".wal")}


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
