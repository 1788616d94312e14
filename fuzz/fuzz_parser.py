"""`make fuzz`: run the parser over N mutated real reports (default 10,000) and report
the count. Exits non-zero on the first failure, printing a reproducer."""

from __future__ import annotations

import sys
import time

from hypothesis import HealthCheck, given, settings

from tests.mutations import mutated_reports, real_reports
from tests.test_parser_fuzz import check_one


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    corpus = real_reports()
    count = 0
    started = time.perf_counter()

    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(mutated_reports(corpus))
    def run(data: bytes) -> None:
        nonlocal count
        count += 1
        if count % 1000 == 0:
            print(f"  {count} cases …", flush=True)
        check_one(data)

    try:
        run()
    except Exception as exc:  # hypothesis re-raises the shrunk failure
        print(f"FAILED after {count} cases: {type(exc).__name__}: {exc}")
        return 1
    elapsed = time.perf_counter() - started
    print(f"fuzz: {count} cases, 0 failures, {elapsed:.0f} s ({len(corpus)} real reports mutated)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
