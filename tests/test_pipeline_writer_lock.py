"""One writer at a time: a second refresh while one runs exits at once, saying who holds the
warehouse; a lock left by a killed refresh is taken over."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time

import dagster as dg
import pytest

from pipelines.cli import main
from pipelines.core import writer_lock
from pipelines.core.paths import WarehouseLayout
from pipelines.core.warehouse_guard import check_layout
from pipelines.runner import run_refresh
from reportgen.refresh_subprocess import PausedRefresh, cli_env, cli_refresh_args, dagster_home
from tests.pipeline_support import SHIPPED_SEEDS, leftovers, query


def test_second_refresh_exits_at_once_and_a_killed_holders_lock_is_taken_over(
    tmp_path, monkeypatch, capsys
):
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    raw.mkdir()
    for seed in sorted(SHIPPED_SEEDS.glob("*.txt"))[:2]:
        shutil.copy2(seed, raw / seed.name)
    home = dagster_home(tmp_path / "dagster")
    lock_file = wh / "refresh.lock"

    first = PausedRefresh(raw, wh, home, "parse")
    try:
        holder = f"pid {first.proc.pid}"
        assert holder in lock_file.read_text()

        # the command line: refused before Dagster is even loaded
        started = time.monotonic()
        second = subprocess.run(
            cli_refresh_args(raw, wh), env=cli_env(home), capture_output=True, text=True, timeout=60
        )
        elapsed = time.monotonic() - started
        assert second.returncode == 1
        assert "another refresh is writing to" in second.stderr and holder in second.stderr
        assert "Traceback" not in second.stderr
        assert elapsed < 10, elapsed

        # a run launched by Dagster itself (UI, schedule, sensor) is refused as well
        outcome = run_refresh(
            raw, wh, 1, instance=dg.DagsterInstance.ephemeral(), show_progress=False
        )
        assert not outcome.success
        [(_, message)] = outcome.failures
        assert "another refresh is writing to" in message and holder in message
        assert not (wh / "current").exists()  # nothing published by anyone
    finally:
        returncode = first.kill()
    assert returncode == -signal.SIGKILL

    # the killed holder's text stays in the file, but nobody holds the lock any more
    assert holder in lock_file.read_text()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    assert (
        main(["refresh", "--raw-dir", str(raw), "--warehouse-dir", str(wh), "--workers", "1"]) == 0
    )
    err = capsys.readouterr().err
    assert "the previous refresh did not finish" in err and holder in err
    assert lock_file.read_text() == ""  # released
    assert query(wh, "SELECT count(*) FROM reports_all_files WHERE status = 'parsed'") == [(2,)]
    assert leftovers(wh) == []
    check_layout(WarehouseLayout(wh))  # what a refresh leaves passes its own start check


HOLD = """
import sys
from pathlib import Path
from pipelines.core import writer_lock
lock = writer_lock.acquire(Path(sys.argv[1]))
print("held", flush=True)
sys.stdin.readline()
"""


def test_lock_is_exclusive_across_processes_and_reentrant_within_one(tmp_path):
    path = tmp_path / "refresh.lock"
    other = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout.readline().strip() == "held"
        with pytest.raises(writer_lock.WarehouseBusy, match=f"pid {other.pid}"):
            writer_lock.acquire(path)
    finally:
        other.communicate("done\n", timeout=30)  # exits without releasing: the kernel does
    assert f"pid {other.pid}" in path.read_text()  # its text stays: a stale lock
    with writer_lock.acquire(path) as outer:
        assert outer.stale_holder and f"pid {other.pid}" in outer.stale_holder
        with writer_lock.acquire(path) as inner:  # the CLI, then the run's resource
            assert inner.stale_holder is None
        assert "pid" in path.read_text()  # still held by the outer one
    assert path.read_text() == ""
