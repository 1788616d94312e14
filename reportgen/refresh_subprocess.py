"""`govreports refresh` as a subprocess, as a user runs it: a fast Dagster home, the
environment (fault points set or not), the arguments, and a run paused at a named point. Used
by the raw-dir fuzz and by the pipeline tests that kill or pause a refresh."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

from pipelines.core.faults import FAULT_ENV

GOVREPORTS = Path(sys.executable).with_name("govreports")


def dagster_home(path: Path) -> Path:
    """A Dagster instance for subprocess runs: event log in memory (SQLite fsyncs each event,
    which is most of a small refresh's time), telemetry off."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "dagster.yaml").write_text(
        "event_log_storage:\n"
        "  module: dagster._core.storage.event_log.in_memory\n"
        "  class: InMemoryEventLogStorage\n"
        "telemetry:\n  enabled: false\n"
    )
    return path


def cli_env(home: Path, fault: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVREPORTS_")}
    env["DAGSTER_HOME"] = str(home)
    if fault:
        env[FAULT_ENV] = fault
    return env


def cli_refresh_args(raw_dir: Path, warehouse_dir: Path, workers: int = 1) -> list[str]:
    return [
        str(GOVREPORTS),
        "refresh",
        "--raw-dir",
        str(raw_dir),
        "--warehouse-dir",
        str(warehouse_dir),
        "--workers",
        str(workers),
    ]


def cli_refresh_process(
    raw_dir: Path, warehouse_dir: Path, home: Path, fault: str | None = None
) -> subprocess.Popen:
    return subprocess.Popen(
        cli_refresh_args(raw_dir, warehouse_dir),
        env=cli_env(home, fault),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def cli_refresh(
    raw_dir: Path, warehouse_dir: Path, home: Path, fault: str | None = None
) -> tuple[int, str, str]:
    """(return code, stdout, stderr) of a `govreports refresh` subprocess."""
    proc = cli_refresh_process(raw_dir, warehouse_dir, home, fault)
    try:
        out, err = proc.communicate(timeout=180)
    finally:
        proc.kill()
    return proc.returncode, out, err


class PausedRefresh:
    """`govreports refresh` stopped at a named point (GOVREPORTS_TEST_FAULT=pause@point)."""

    def __init__(self, raw_dir: Path, warehouse_dir: Path, home: Path, point: str):
        self.proc = subprocess.Popen(
            cli_refresh_args(raw_dir, warehouse_dir),
            env=cli_env(home, f"pause@{point}"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.stderr: list[str] = []
        try:
            self._wait_for(f"paused at {point} (pid {self.proc.pid})", point)
        except BaseException:
            self.kill()
            raise

    def _wait_for(self, marker: str, point: str) -> None:
        deadline = time.monotonic() + 120
        while True:
            line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if line is None:
                raise AssertionError(f"refresh ended before {point}: {''.join(self.stderr)}")
            self.stderr.append(line)
            if marker in line:
                return

    def _read(self) -> None:
        for line in self.proc.stderr:
            self.lines.put(line)
        self.lines.put(None)

    def kill(self) -> int:
        self.proc.kill()
        return self.proc.wait(timeout=60)
