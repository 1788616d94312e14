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
"""

from __future__ import annotations

import fcntl
import os
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path


class WarehouseBusy(RuntimeError):
    """Another process holds the writer lock."""

    def __init__(self, lock_path: Path, holder: str):
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
    """Take the lock or raise `WarehouseBusy` at once (never waits)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    key = lock_path.resolve()
    held = _HELD.get(key)
    if held is not None:
        held.count += 1
        return WriterLock(key)
    fd = os.open(key, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
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


def _read(fd: int) -> str:
    return os.pread(fd, 4096, 0).decode("utf-8", errors="replace").strip()
