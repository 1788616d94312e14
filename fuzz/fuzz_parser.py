"""`make fuzz`: run the parser over N mutated real reports (default 10,000) and report
the count. Exits non-zero on the first failure, printing a reproducer.

A share of the N (BINARY_SHARE) are damaged PDFs and Word files (reportgen/binary_mutations.py),
each checked to finish in time (a known, unfixed crash of reportgen/fuzz_checks.py's
KNOWN_CRASHES is reported at the end instead of failing the run); the file being parsed is kept at CURRENT_CASE, so that a
crash of the process itself (PDFium) leaves its input behind, and a failing one is saved
beside it (its path is printed).

OCR is off unless GOVREPORTS_OCR is set: a damaged PDF whose text layer is unreadable
would go to OCR (15-45 s a case here) and fail the per-case time bound, which is there
for the text and PDF-layout paths; the OCR path has its own tests
(tests/test_ocr_reports.py)."""

from __future__ import annotations

import faulthandler
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GOVREPORTS_OCR", "off")  # before the parser reads it (see above)

from hypothesis import HealthCheck, given, settings

from reportgen.binary_mutations import binary_mutated_reports, binary_reports
from reportgen.fuzz_checks import KNOWN_CRASHES, check_binary, check_one
from reportgen.mutations import mutated_reports, real_reports

BINARY_SHARE = 0.2
FAILURES = Path(tempfile.gettempdir()) / "govreports-fuzz"
CURRENT_CASE = FAILURES / "current.bin"


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    n_binary = round(n * BINARY_SHARE)
    corpus = real_reports()
    binary_corpus = binary_reports()
    FAILURES.mkdir(parents=True, exist_ok=True)
    faulthandler.enable()
    count = 0
    known: set[str] = set()  # KNOWN_CRASHES hit (reported, not failed: they are known bugs)
    started = time.perf_counter()

    def tick() -> None:
        nonlocal count
        count += 1
        if count % 1000 == 0:
            print(f"  {count} cases …", flush=True)

    @settings(
        max_examples=n - n_binary,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(mutated_reports(corpus))
    def run(data: bytes) -> None:
        tick()
        check_one(data)

    @settings(
        max_examples=max(n_binary, 1),
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(binary_mutated_reports(binary_corpus))
    def run_binary(data) -> None:
        tick()
        CURRENT_CASE.write_bytes(bytes(data))
        try:
            check_binary(data, known)
        except Exception as exc:
            raise AssertionError(f"{exc} (input saved as {data.save(FAILURES)})") from exc

    for runner in (run, run_binary) if n_binary else (run,):
        try:
            runner()
        except Exception as exc:  # hypothesis re-raises the shrunk failure
            print(f"FAILED after {count} cases: {type(exc).__name__}: {exc}")
            return 1
    elapsed = time.perf_counter() - started
    for name in sorted(known):
        print(f"known crash still seen: {name}: {KNOWN_CRASHES[name][0]}")
    print(
        f"fuzz: {count} cases, 0 failures, {elapsed:.0f} s ({len(corpus)} real reports mutated, "
        f"{n_binary} damaged PDF/DOCX files from {len(binary_corpus)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
