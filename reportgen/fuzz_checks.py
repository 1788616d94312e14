"""What every fuzzed input must give: a record with a status, never the parser's last-resort
error, figures of the right type (`check_one`); for a damaged PDF or Word file, also within
MAX_SECONDS, with a stack dump instead of an endless wait on a hang (`check_binary`). Used by
`tests/test_parser_fuzz.py`, `tests/test_binary_fuzz.py` and `fuzz/fuzz_parser.py`.

A failing damaged input is saved under FAILURES (the message names it):
`parse_report(Path(...).read_bytes())` reproduces it."""

from __future__ import annotations

import faulthandler
import sys
import tempfile
import time
from pathlib import Path

from parsers import parse_report

STATUSES = {"parsed", "partial", "rejected"}
#: The longest one damaged file may take (the slowest undamaged report parses in ~0.2 s).
MAX_SECONDS = 5.0
#: A case stuck this long is a hang: the process dumps every thread's stack and exits.
WATCHDOG_SECONDS = 120
FAILURES = Path(tempfile.gettempdir()) / "govreports-fuzz"

# Parser bugs the binary fuzz has found, not fixed yet: name → (what, the status_reason they
# give). A case that hits one is recorded, not failed, and its test is xfailed naming it (any
# other failure still fails); `test_every_known_crash_is_still_real` fails once one is no
# longer seen: remove its entry then.
# (Found and fixed: a page PDFium cannot load — a /Kids entry naming its own /Pages node —
# raised PdfiumError "Failed to load page." through to the last-resort handler.)
KNOWN_CRASHES: dict[str, tuple[str, str]] = {}
#: KNOWN_CRASHES entries hit in this process.
SEEN: set[str] = set()
#: Damaged files checked in this process.
CHECKED = [0]


def check_one(data: bytes) -> None:
    report = parse_report(data, "fuzz")
    assert report.status in STATUSES
    if report.status != "parsed":
        assert report.status_reason
    assert not (report.status_reason or "").startswith("internal parser error"), (
        report.status_reason
    )
    for fact in report.applications + report.review_litigation:
        assert fact.value is None or isinstance(fact.value, int)
    for fact in report.active_disclosure:
        assert fact.value is None or isinstance(fact.value, float)


def _known_crash(data: bytes) -> str | None:
    reason = parse_report(data, "fuzz").status_reason or ""
    for name, (_, prefix) in KNOWN_CRASHES.items():
        if reason.startswith(prefix):
            return name
    return None


def check_binary(data: bytes, known: set[str] | None = None) -> None:
    """`check_one`, in time, with a stack dump instead of an endless wait on a hang. A failure
    that is a KNOWN_CRASHES entry is added to `known` instead, when a set is given."""
    CHECKED[0] += 1
    faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True, file=sys.stderr)
    try:
        started = time.perf_counter()
        try:
            check_one(data)
        except AssertionError as exc:
            name = _known_crash(data) if known is not None else None
            if name:
                known.add(name)
                SEEN.add(name)
                return
            raise AssertionError(f"{exc}\n(input saved as {_save(data)})") from None
        elapsed = time.perf_counter() - started
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert elapsed < MAX_SECONDS, (
        f"{elapsed:.1f} s for one file of {len(data):,} bytes (saved as {_save(data)})"
    )


def _save(data: bytes) -> Path:
    if hasattr(data, "save"):
        return data.save(FAILURES)
    FAILURES.mkdir(parents=True, exist_ok=True)
    path = FAILURES / f"damaged-{len(data)}.bin"
    path.write_bytes(data)
    return path
