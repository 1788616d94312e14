"""Damaged PDFs and Word files (tests/binary_mutations.py) never crash or hang the parser:
every input gives a record with a status (the checks of tests/test_parser_fuzz.check_one),
each within MAX_SECONDS. A failing input is saved under FAILURES (the message names it):
`parse_report(Path(...).read_bytes())` reproduces it."""

from __future__ import annotations

import faulthandler
import sys
import tempfile
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from parsers import parse_report
from tests.binary_mutations import (
    DOCX_MUTATIONS,
    OLE2_MUTATIONS,
    PDF_MUTATIONS,
    binary_mutated_reports,
    binary_reports,
    mutated_with,
)
from tests.test_parser_fuzz import check_one

#: The longest one damaged file may take (the slowest undamaged report parses in ~0.2 s).
MAX_SECONDS = 5.0
#: A case stuck this long is a hang: the process dumps every thread's stack and exits.
WATCHDOG_SECONDS = 120
FAILURES = Path(tempfile.gettempdir()) / "govreports-fuzz"

# Parser bugs these tests have found, not fixed yet: name → (what, the status_reason they give).
# A case that hits one is recorded, not failed, and its test is xfailed naming it (any other
# failure still fails); `test_every_known_crash_is_still_real` fails once one is no longer
# seen: remove its entry then.
# (Found and fixed: a page PDFium cannot load — a /Kids entry naming its own /Pages node —
# raised PdfiumError "Failed to load page." through to the last-resort handler.)
KNOWN_CRASHES: dict[str, tuple[str, str]] = {}
_SEEN: set[str] = set()
_CHECKED = [0]  # cases checked in this session


def _known_crash(data: bytes) -> str | None:
    reason = parse_report(data, "fuzz").status_reason or ""
    for name, (_, prefix) in KNOWN_CRASHES.items():
        if reason.startswith(prefix):
            return name
    return None


def check_binary(data: bytes, known: set[str] | None = None) -> None:
    """`check_one`, in time, with a stack dump instead of an endless wait on a hang. A failure
    that is a KNOWN_CRASHES entry is added to `known` instead, when a set is given."""
    _CHECKED[0] += 1
    faulthandler.dump_traceback_later(WATCHDOG_SECONDS, exit=True, file=sys.stderr)
    try:
        started = time.perf_counter()
        try:
            check_one(data)
        except AssertionError as exc:
            name = _known_crash(data) if known is not None else None
            if name:
                known.add(name)
                _SEEN.add(name)
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


def test_binary_corpus_reads() -> None:
    corpus = binary_reports()
    assert sum(1 for kind, _ in corpus if kind == "pdf") >= 10
    assert any(kind == "docx" for kind, _ in corpus)
    statuses = {parse_report(data).status for kind, data in corpus}
    assert "parsed" in statuses and "rejected" in statuses  # (scanned, password, no map)


def _xfail_if_known(known: set[str]) -> None:
    if known:
        name = sorted(known)[0]
        pytest.xfail(f"KNOWN_CRASH {name}: {KNOWN_CRASHES[name][0]}")


MUTATIONS = (
    [("pdf", m) for m in PDF_MUTATIONS]
    + [("docx", m) for m in DOCX_MUTATIONS]
    + [("ole2", m) for m in OLE2_MUTATIONS]
)


@pytest.mark.parametrize(
    ("kind", "mutate"), MUTATIONS, ids=[f"{k}-{m.__name__.lstrip('_')}" for k, m in MUTATIONS]
)
def test_every_mutation_is_survived(kind: str, mutate) -> None:
    """Each mutation on its own, a few times (so that every run tries every one)."""
    if not any(k == kind for k, _ in binary_reports()):
        pytest.skip(f"no {kind} file in the corpus")
    known: set[str] = set()

    @settings(max_examples=5, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(mutated_with(kind, mutate))
    def run(data: bytes) -> None:
        check_binary(data, known)

    run()
    _xfail_if_known(known)


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(binary_mutated_reports())
def _damaged_binary_reports(data: bytes) -> None:
    check_binary(data, _MIXED_SEEN)


_MIXED_SEEN: set[str] = set()
_CHECKED = [0]  # cases checked in this session


def test_damaged_binary_reports_never_crash_or_hang() -> None:
    """1–3 mutations of any corpus file, 120 cases."""
    _MIXED_SEEN.clear()
    _damaged_binary_reports()
    _xfail_if_known(_MIXED_SEEN)


def test_every_known_crash_is_still_real() -> None:
    """Runs after the tests above (file order): every KNOWN_CRASHES entry must still be hit
    somewhere, else the bug is fixed and its entry should go."""
    if _CHECKED[0] < 100:
        pytest.skip("run with the fuzz tests above")
    if not KNOWN_CRASHES:
        return
    stale = set(KNOWN_CRASHES) - _SEEN
    assert not stale, f"known crashes no longer seen (remove them): {sorted(stale)}"
