"""The warehouse dir holds only what a refresh made, and a refresh never follows a link there:
a link, directory or pipe where the pipeline expects its own files, or a warehouse dir inside
the raw dir, stops a refresh at its start with a one-line message (and touches nothing);
text read back from the lock file is shown escaped."""

from __future__ import annotations

import fcntl
import os
import shutil
import unicodedata
from pathlib import Path

import dagster as dg
import pytest

from pipelines.cli import main
from pipelines.core import snapshots, warehouse_guard, writer_lock
from pipelines.core.paths import PUBLISHED, WarehouseLayout
from pipelines.core.warehouse_guard import WarehouseLayoutError, check_dirs, check_layout
from pipelines.defs.resources import Warehouse
from pipelines.runner import run_refresh
from reportgen.refresh_subprocess import dagster_home
from tests.pipeline_support import SHIPPED_SEEDS

SEED = SHIPPED_SEEDS / "001_389509ebf14147a7.txt"


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder and a file of the user's, outside the warehouse dir: never to be touched."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep me")
    return folder


def assert_untouched(outside: Path) -> None:
    assert (outside / "precious.txt").read_text() == "keep me"


def warehouse(root: Path) -> WarehouseLayout:
    """A warehouse dir as refreshes leave it, with what a killed refresh leaves behind."""
    (root / "snapshots" / "run-1" / "marts").mkdir(parents=True)
    (root / "snapshots" / "run-0").mkdir()  # the one before the published one
    (root / "snapshots" / ".starting-run-2").mkdir()  # a killed refresh's copy
    (root / "snapshots" / ".old-marts").mkdir()  # marts/ of the pre-snapshot layout
    os.symlink("snapshots/run-1", root / "current")
    for name in PUBLISHED:
        os.symlink(f"current/{name}", root / name)
    os.symlink("snapshots/run-0", root / ".current.link.tmp")  # killed while publishing
    (root / "refresh.lock").write_text("")
    (root / "cache" / "parsed" / "v1").mkdir(parents=True)
    (root / "cache" / "parsed" / "v1" / "part-1.parquet").write_bytes(b"")
    (root / "README.txt").write_text("the user's notes")  # not a managed name: ignored
    os.symlink("/", root / "a-link-of-the-users")
    return WarehouseLayout(root)


def replace(path: Path, make, outside: Path | None = None) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
    make(path, outside)


def link_to(target: str):
    """A link to `target`, where OUTSIDE stands for the user's folder outside the warehouse."""
    return lambda path, outside: os.symlink(target.replace("OUTSIDE", str(outside)), path)


def directory(path: Path, _outside=None) -> None:
    path.mkdir()


def regular_file(path: Path, _outside=None) -> None:
    path.write_text("x")


def fifo(path: Path, _outside=None) -> None:
    os.mkfifo(path)


def test_check_layout_accepts_what_refreshes_leave(tmp_path):
    check_layout(WarehouseLayout(tmp_path / "absent"))
    (tmp_path / "empty").mkdir()
    check_layout(WarehouseLayout(tmp_path / "empty"))
    check_layout(warehouse(tmp_path / "wh"))
    # the layout before snapshots: plain files and a marts/ dir (the first publish migrates it)
    old = tmp_path / "old"
    (old / "marts").mkdir(parents=True)
    for name in PUBLISHED:
        if name not in ("marts", "docs"):  # (that layout had no docs)
            (old / name).write_bytes(b"")
    check_layout(WarehouseLayout(old))


BAD = {
    "snapshots is a link": ("snapshots", link_to("OUTSIDE"), "a symbolic link to"),
    "snapshots is a file": ("snapshots", regular_file, "a regular file"),
    "cache is a link": ("cache", link_to("OUTSIDE"), "a symbolic link to"),
    "cache/parsed is a link": ("cache/parsed", link_to("OUTSIDE"), "a symbolic link to"),
    "a parse cache is a link": ("cache/parsed/v1", link_to("OUTSIDE"), "a symbolic link to"),
    "a file among the caches": ("cache/parsed/notes.txt", regular_file, "a regular file"),
    "lock is a link": ("refresh.lock", link_to("OUTSIDE/precious.txt"), "a symbolic link to"),
    "lock is a dangling link": ("refresh.lock", link_to("OUTSIDE/new"), "a symbolic link to"),
    "lock is a dir": ("refresh.lock", directory, "a directory"),
    "lock is a pipe": ("refresh.lock", fifo, "a named pipe"),
    "current is absolute": ("current", link_to("OUTSIDE"), "a symbolic link to"),
    "current climbs out": ("current", link_to("snapshots/../../outside"), "a symbolic link to"),
    "current is ..": ("current", link_to("snapshots/.."), "a symbolic link to"),
    "current elsewhere": ("current", link_to("elsewhere/run-1"), "a symbolic link to"),
    "current is snapshots": ("current", link_to("snapshots"), "a symbolic link to"),
    "current is a dir": ("current", directory, "a directory"),
    "published file links out": ("warehouse.duckdb", link_to("OUTSIDE/precious.txt"), "link"),
    "published marts link out": ("marts", link_to("OUTSIDE"), "a symbolic link to"),
    "published link, wrong name": ("agencies.parquet", link_to("current/marts"), "link to"),
    "published file is a dir": ("reports.parquet", directory, "a directory"),
    "marts is a file": ("marts", regular_file, "a regular file"),
    "published name is a pipe": ("applications.parquet", fifo, "a named pipe"),
    "a snapshot is a link": ("snapshots/run-1", link_to("OUTSIDE"), "a symbolic link to"),
    "a temporary snapshot is a link": ("snapshots/.old-marts", link_to("OUTSIDE"), "link"),
    "a file among snapshots": ("snapshots/notes.txt", regular_file, "a regular file"),
    "a pipe among snapshots": ("snapshots/.pipe", fifo, "a named pipe"),
    "a temporary link is a dir": (".current.link.tmp", directory, "a directory"),
    "a temporary link is a file": (".marts.link.tmp", regular_file, "a regular file"),
}


@pytest.mark.parametrize("entry, make, what", list(BAD.values()), ids=list(BAD))
def test_check_layout_refuses_what_a_refresh_did_not_make(tmp_path, outside, entry, make, what):
    layout = warehouse(tmp_path / "wh")
    path = layout.root / entry
    replace(path, make, outside)
    with pytest.raises(WarehouseLayoutError) as raised:
        check_layout(layout)
    message = str(raised.value)
    assert str(path) in message and what in message, message
    assert "move it away" in message
    assert_untouched(outside)


def test_check_layout_shows_a_links_target_escaped(tmp_path):
    layout = warehouse(tmp_path / "wh")
    replace(layout.root / "marts", link_to("\x1b]0;owned\x07\x1b[2J\u202eevil"))
    with pytest.raises(WarehouseLayoutError) as raised:
        check_layout(layout)
    assert_printable(str(raised.value))
    assert "\\x1b]0;owned" in str(raised.value)


def test_snapshot_cleanup_never_follows_links(tmp_path, outside):
    layout = WarehouseLayout(tmp_path / "wh")
    layout.root.mkdir()
    os.symlink(outside, layout.snapshots)
    with pytest.raises(WarehouseLayoutError, match="a symbolic link to"):
        snapshots.remove_other_snapshots(layout, set())
    assert_untouched(outside)

    layout.snapshots.unlink()
    (layout.snapshots / "old-run").mkdir(parents=True)
    (layout.snapshots / "old-run" / "marts").symlink_to(outside)  # inside: rmtree unlinks it
    (layout.snapshots / "kept-run").mkdir()
    (layout.snapshots / "linked-run").symlink_to(outside)
    (layout.snapshots / ".DS_Store").write_text("")
    snapshots.remove_other_snapshots(layout, {(layout.snapshots / "kept-run").resolve()})
    assert [p.name for p in layout.snapshots.iterdir()] == ["kept-run"]
    assert_untouched(outside)


# -- the writer lock ------------------------------------------------------------------------


def test_lock_never_follows_a_link(tmp_path, outside):
    lock = tmp_path / "wh" / "refresh.lock"
    lock.parent.mkdir()
    lock.symlink_to(outside / "precious.txt")
    with pytest.raises(WarehouseLayoutError, match="a symbolic link to") as raised:
        writer_lock.acquire(lock)
    assert str(lock) in str(raised.value) and "remove it" in str(raised.value)
    assert_untouched(outside)

    lock.unlink()
    lock.symlink_to(outside / "created")  # a dangling link: O_CREAT would create its target
    with pytest.raises(WarehouseLayoutError, match="a symbolic link to"):
        writer_lock.acquire(lock)
    assert not (outside / "created").exists()


@pytest.mark.parametrize("make, what", [(directory, "a directory"), (fifo, "a named pipe")])
def test_lock_that_is_not_a_file_is_refused_in_words(tmp_path, make, what):
    lock = tmp_path / "refresh.lock"
    make(lock)
    with pytest.raises(WarehouseLayoutError, match=what) as raised:
        writer_lock.acquire(lock)
    assert str(lock) in str(raised.value)


def assert_printable(text: str) -> None:
    bad = [c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
    assert not bad, (bad, text)


def test_holder_text_from_the_lock_file_is_shown_escaped_and_short(tmp_path):
    lock = tmp_path / "refresh.lock"
    garbled = (
        "pid 1\x1b]0;pwned\x07\x1b[2J\x9b31m \u202eevil\u2066 \x7f\ud800 "
        + "x" * 5000
        + "\nsecond line"
    )
    lock.write_text(garbled, errors="surrogatepass")
    other = os.open(lock, os.O_RDWR)  # another holder: its own open file description
    try:
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(writer_lock.WarehouseBusy) as raised:
            writer_lock.acquire(lock)
    finally:
        os.close(other)
    message, holder = str(raised.value), raised.value.holder
    assert_printable(message)
    assert holder.startswith("pid 1\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m \\u202eevil\\u2066 \\x7f")
    assert len(holder) <= 300
    with writer_lock.acquire(lock) as taken:  # the holder is gone: its text is stale
        assert taken.stale_holder == holder


# -- where the refresh starts: the command line and the Dagster resource -------------------


def refresh_args(raw: Path, wh: Path) -> list[str]:
    return ["refresh", "--raw-dir", str(raw), "--warehouse-dir", str(wh), "--workers", "1"]


@pytest.fixture
def raw(tmp_path, monkeypatch) -> Path:
    # a refresh that got past its start checks would record its run here
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home(tmp_path / "dagster_home")))
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy2(SEED, raw / SEED.name)
    return raw


def test_cli_refuses_a_layout_it_did_not_make_and_touches_nothing(
    tmp_path, raw, outside, capsys, monkeypatch
):
    wh = tmp_path / "wh"
    wh.mkdir()
    (wh / "snapshots").symlink_to(outside)
    assert main(refresh_args(raw, wh)) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"govreports: {wh / 'snapshots'} is a symbolic link to {outside}")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert_untouched(outside)
    assert not (wh / "current").exists()

    (wh / "snapshots").unlink()
    (wh / "refresh.lock").symlink_to(outside / "precious.txt")
    assert main(refresh_args(raw, wh)) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"govreports: {wh / 'refresh.lock'} is a symbolic link to")
    assert_untouched(outside)

    # the lock itself refuses a link too (were it made between the check and the lock)
    monkeypatch.setattr(warehouse_guard, "check_layout", lambda layout: None)
    assert main(refresh_args(raw, wh)) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"govreports: {wh / 'refresh.lock'} is a symbolic link to")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert_untouched(outside)
    assert not (wh / "snapshots").exists()


def test_cli_refuses_a_warehouse_dir_inside_the_raw_dir(tmp_path, raw, capsys):
    assert main(refresh_args(raw, raw / "wh")) == 1
    err = capsys.readouterr().err
    assert err == (
        f"govreports: the warehouse dir {raw / 'wh'} is inside the raw dir {raw}: a refresh "
        "would read its own files as reports; keep the warehouse dir outside the raw dir\n"
    )
    assert not (raw / "wh").exists()  # not even created
    assert main(refresh_args(raw, raw)) == 1
    assert "is the raw dir" in capsys.readouterr().err
    inner = tmp_path / "wh" / "raw"
    shutil.copytree(raw, inner)
    assert main(refresh_args(inner, tmp_path / "wh")) == 1
    assert "is inside the warehouse dir" in capsys.readouterr().err
    assert sorted(os.listdir(tmp_path / "wh")) == ["raw"]


def test_check_dirs(tmp_path):
    raw, wh = tmp_path / "data" / "raw", tmp_path / "data" / "raw2"
    raw.mkdir(parents=True)
    assert check_dirs(raw, wh) is None  # a common prefix of names is not nesting
    assert check_dirs(raw, tmp_path / "data" / "wh") is None
    assert "is the raw dir" in check_dirs(raw, raw / "sub" / "..")
    assert "inside the raw dir" in check_dirs(raw, raw / "a" / "b")
    assert "inside the warehouse dir" in check_dirs(raw, raw.parent)
    (tmp_path / "via").symlink_to(raw)  # the same dir under another name
    assert "is the raw dir" in check_dirs(raw, tmp_path / "via")
    assert "inside the raw dir" in check_dirs(raw, tmp_path / "via" / "wh")


def test_dagster_run_fails_at_start_on_a_bad_layout(tmp_path, raw, outside, monkeypatch):
    wh = tmp_path / "wh"
    wh.mkdir()
    (wh / "refresh.lock").symlink_to(outside / "precious.txt")
    resource = Warehouse(path=str(wh))
    monkeypatch.setenv("GOVREPORTS_RAW_DIR", str(raw))
    try:
        with pytest.raises(dg.Failure, match="refresh.lock is a symbolic link to"):
            resource.setup_for_execution(dg.build_init_resource_context())
        (wh / "refresh.lock").unlink()
        (wh / "cache").symlink_to(outside)
        with pytest.raises(dg.Failure, match="cache is a symbolic link to"):
            resource.setup_for_execution(dg.build_init_resource_context())
        (wh / "cache").unlink()
        # the raw dir of a run without config: the environment's, as the RawDir resource's
        inside = Warehouse(path=str(raw / "wh"))
        with pytest.raises(dg.Failure, match="is inside the raw dir"):
            inside.setup_for_execution(dg.build_init_resource_context())
        assert not (raw / "wh").exists()
    finally:
        resource.teardown_after_execution(dg.build_init_resource_context())
    assert_untouched(outside)


def test_dagster_run_checks_the_raw_dir_of_its_run_config(tmp_path, raw, monkeypatch):
    monkeypatch.delenv("GOVREPORTS_RAW_DIR", raising=False)
    monkeypatch.delenv("GOVREPORTS_WAREHOUSE_DIR", raising=False)
    instance = dg.DagsterInstance.ephemeral()
    outcome = run_refresh(raw, raw / "wh", 1, instance=instance, show_progress=False)
    assert not outcome.success
    assert outcome.failures == [("start", check_dirs(raw, raw / "wh"))]
    assert not (raw / "wh").exists()


def test_a_run_dagster_calls_a_success_that_published_nothing_is_a_failure():
    """Dagster skips a step whose upstream outputs were not all yielded (optional outputs,
    as dbt's are) and still calls the run a success: the refresh must not."""
    from types import SimpleNamespace

    from pipelines.runner import outcome_of

    outcome = outcome_of(SimpleNamespace(success=True, run_id="r", all_events=[]))
    assert not outcome.success
    assert outcome.failures == [("published_warehouse", "skipped: the run published nothing")]
