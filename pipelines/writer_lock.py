"""One writer per warehouse: an exclusive `flock` on `<warehouse dir>/refresh.lock`.

The holder writes its pid, start time and command into the file, so a refresh that finds
the lock taken can say who holds it and exit at once. The kernel drops the lock when its
holder exits, however it exits (SIGKILL included): a lock file whose text survives a
killed refresh is stale by construction, and the next refresh takes it over and says so.
A holder that finishes empties the file. The file itself is never deleted (deleting it
would let a second writer lock a new file while the first still holds the old one).

Within one process the lock is re-entrant: `govreports refresh` takes it before loading
Dagster (to fail fast), and the run's warehouse resource takes it again (so runs launched
from the Dagster UI or the daemon are covered as well).

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

from pipelines.warehouse_guard import WarehouseLayoutError, describe, lstat, printable


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


@dataclass
class _Held:
    fd: int
    count: int = 1


_HELD: dict[Path, _Held] = {}


@dataclass
class WriterLock:
    path: Path
    #: What a previous holder that never released the lock had written (it was killed).
    stale_holder: str | None = None
    _released: bool = field(default=False, repr=False)

    def release(self) -> None:
        if self._released:
            return
        self._released = True
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


def holder_text() -> str:
    started = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    command = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))
    return f"pid {os.getpid()}, started {started}, command: {command}"


def acquire(lock_path: Path) -> WriterLock:
    """Take the lock or raise `WarehouseBusy` at once (never waits). Raises
    `WarehouseLayoutError` when something other than a regular file is at `lock_path`."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    key = lock_path.parent.resolve() / lock_path.name  # the lock's own name is not resolved
    held = _HELD.get(key)
    if held is not None:
        held.count += 1
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
    os.ftruncate(fd, 0)
    os.pwrite(fd, (holder_text() + "\n").encode(), 0)
    os.fsync(fd)
    _HELD[key] = _Held(fd)
    return WriterLock(key, stale_holder=stale)


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
