"""One writer per warehouse: an exclusive `flock` on `<warehouse dir>/refresh.lock`.

The holder writes its pid, start time and command into the file, so a refresh that finds
the lock taken can say who holds it and exit at once. The kernel drops the lock when its
holder exits, however it exits (SIGKILL included): a lock file whose text survives a
killed refresh is stale by construction, and the next refresh takes it over and says so.
A holder that finishes empties the file. The file itself is never deleted (deleting it
would let a second writer lock a new file while the first still holds the old one).

Within one process the lock is re-entrant: `govreports refresh` takes it before loading
Dagster (to fail fast), and the run takes it again (so runs launched from the Dagster UI or
the daemon are covered as well), writing its run id into the holder's text.

The lock belongs to a run, held by the process that orchestrates it: under the in-process
executor the warehouse resource takes it; under an executor that runs steps in other
processes (multiprocess, Dask: `pipelines.executors`) the orchestrating process takes it
before the first step starts and drops it when the run ends, however it ends. A step
process of that run does not take it again (`join_run`): it checks that the lock is held
and that its text names the run, and refuses to touch the warehouse otherwise (the
orchestrator is gone, or another run holds the warehouse).

The lock file is opened without following a link (O_NOFOLLOW on its own name; only its
dir is resolved) and must be a regular file: a link, a directory or a pipe at its place
raises `WarehouseLayoutError`, naming it, so a refresh never truncates a file elsewhere.
What a holder wrote is shown through `printable` (it could hold terminal escapes).
"""

from __future__ import annotations

import fcntl
import os
import stat
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from pipelines.core.warehouse_guard import WarehouseLayoutError, describe, lstat, printable


class WarehouseBusy(RuntimeError):
    """Another process holds the writer lock."""

    def __init__(self, lock_path: Path, holder: str):
        holder = printable(holder)
        self.lock_path, self.holder = lock_path, holder
        who = f" ({holder})" if holder else ""
        super().__init__(
            f"another refresh is writing to {lock_path.parent}{who}; this one stops without "
            f"touching the warehouse. Wait for it to finish (lock: {lock_path})"
        )


class RunLockLost(RuntimeError):
    """A step of a run found the writer lock free: the process that launched the run (and
    held the lock for it) is gone, so the step must not write."""

    def __init__(self, lock_path: Path, run_id: str):
        self.lock_path, self.run_id = lock_path, run_id
        super().__init__(
            f"run {run_id} does not hold the writer lock of {lock_path.parent} any more (the "
            "process that launched it is gone); this step stops without touching the warehouse"
        )


@dataclass
class _Held:
    fd: int
    count: int = 1
    run_id: str | None = None


_HELD: dict[Path, _Held] = {}


@dataclass
class WriterLock:
    path: Path
    #: What a previous holder that never released the lock had written (it was killed).
    stale_holder: str | None = None
    #: Entered by a step of the run that holds it (`join_run`): nothing to release here.
    joined: bool = False
    _released: bool = field(default=False, repr=False)

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        if self.joined:
            return
        held = _HELD.get(self.path)
        if held is None:
            return
        held.count -= 1
        if held.count == 0:
            del _HELD[self.path]
            try:
                os.ftruncate(held.fd, 0)
            finally:
                os.close(held.fd)  # closing the last descriptor drops the flock

    def __enter__(self) -> WriterLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def holder_text(run_id: str | None = None) -> str:
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    command = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))
    run = f"run {run_id}, " if run_id else ""
    return f"{run}pid {os.getpid()}, started {started}, command: {command}"


def _key(lock_path: Path) -> Path:
    return lock_path.parent.resolve() / lock_path.name  # the lock's own name is not resolved


def acquire(lock_path: Path, run_id: str | None = None) -> WriterLock:
    """Take the lock or raise `WarehouseBusy` at once (never waits). Raises
    `WarehouseLayoutError` when something other than a regular file is at `lock_path`.
    `run_id` names the run the lock is held for (re-entering a lock this process holds
    without one, as the CLI takes it, writes it in)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    key = _key(lock_path)
    held = _HELD.get(key)
    if held is not None:
        held.count += 1
        if run_id and held.run_id != run_id:
            held.run_id = run_id
            _write_holder(held.fd, run_id)
        return WriterLock(key)
    fd = _open(key)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = _read(fd)
        os.close(fd)
        raise WarehouseBusy(key, holder) from None
    except BaseException:
        os.close(fd)
        raise
    stale = _read(fd) or None
    _write_holder(fd, run_id)
    _HELD[key] = _Held(fd, run_id=run_id)
    return WriterLock(key, stale_holder=stale)


def join_run(lock_path: Path, run_id: str) -> WriterLock:
    """Enter the lock that the process orchestrating run `run_id` holds for it, from a step
    of that run in another process (or re-enter it in this process). Raises `WarehouseBusy`
    when another run holds it, `RunLockLost` when nobody does (the run's launching process
    is gone: a step left running by a killed run must not write), `WarehouseLayoutError`
    when something other than a regular file is at `lock_path`."""
    key = _key(lock_path)
    held = _HELD.get(key)
    if held is not None:
        held.count += 1
        return WriterLock(key)
    if not lock_path.parent.is_dir():
        raise RunLockLost(key, run_id)
    fd = _open(key)
    try:
        holder = _read(fd)
        try:  # a shared lock is refused while any process holds the exclusive one
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            if holder.startswith(f"run {run_id}, "):
                return WriterLock(key, joined=True)
            raise WarehouseBusy(key, holder) from None
        raise RunLockLost(key, run_id)
    finally:
        os.close(fd)  # (drops the shared lock, when it was taken)


def _write_holder(fd: int, run_id: str | None) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, (holder_text(run_id) + "\n").encode(), 0)
    os.fsync(fd)


_OPEN_FLAGS = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC


def _open(path: Path) -> int:
    """The lock file, created if absent; never through a link, never anything but a file."""
    st = lstat(path)
    if st is not None and not stat.S_ISREG(st.st_mode):  # not even opened (a device, a pipe)
        raise _not_a_lock(path, st)
    try:
        fd = os.open(path, _OPEN_FLAGS, 0o644)
    except OSError:
        st = lstat(path)  # put there since the lstat: a link (ELOOP), a directory (EISDIR)
        if st is not None and not stat.S_ISREG(st.st_mode):
            raise _not_a_lock(path, st) from None
        raise
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise _not_a_lock(path, st)
    return fd


def _not_a_lock(path: Path, st: os.stat_result) -> WarehouseLayoutError:
    return WarehouseLayoutError(path, describe(path, st), "the writer lock: a regular file")


def _read(fd: int) -> str:
    """What the holder wrote, safe to show (`printable`: escaped, at most 300 characters)."""
    return printable(os.pread(fd, 4096, 0).decode("utf-8", errors="replace").strip())
