"""Where the fixture files are: under the repository's `tests/` directory, found by path from
the repository root (nothing here imports `tests`)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: tests/fixtures: the real reports and the committed generated files.
FIXTURES = REPO / "tests" / "fixtures"
#: The project's seeds and corpus (`shared/` beside the steering repo), copied in.
SHARED = FIXTURES / "reports"
#: Hand-read figures of the real reports (one JSON per report).
EXPECTED = REPO / "tests" / "expected"
#: The sample raw reports shipped with the repository (`make run` reads data/raw).
SHIPPED_SEEDS = REPO / "data" / "raw" / "seeds"
