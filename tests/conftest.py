"""Shared test helpers: where the real reports live (a copy kept in the repository)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# OCR off for the suite (scanned PDFs, garbled fonts and images are then rejected saying so,
# as before OCR): the fuzz, generated-PDF and pipeline tests meet such files by the dozen and
# would spend minutes recognising them. tests/test_ocr_reports.py turns it back on for the
# few pages it reads. (Set here, before any test starts a worker process: they inherit it.)
os.environ["GOVREPORTS_OCR"] = "off"

# reportgen's checks (`fuzz_checks.check_one`, …) assert: pytest explains their failures as it
# does a test's only if it rewrites them, and it must be told so before they are imported.
pytest.register_assert_rewrite("reportgen")

from reportgen.paths import EXPECTED, REPO, SHARED  # noqa: E402

__all__ = ["EXPECTED", "REPO", "SHARED", "shared_path"]


def shared_path(rel: str) -> Path:
    path = SHARED / rel
    if not path.exists():  # a missing fixture is a failure, never a skip
        pytest.fail(f"test fixture {path} is missing (tests/fixtures/reports/ is in the repo)")
    return path


#: The test files whose module fixtures run whole refreshes (a minute or more each, measured
#: with `pytest --durations`), started first: `make test` hands whole files to two pytest
#: processes (pytest-xdist, --dist loadfile) in collection order, and one of these collected
#: last (alphabetically they are) left one process working alone for minutes at the end.
SLOWEST_FILES_FIRST = (
    "test_pipeline_crash.py",
    "test_pipeline_fanout.py",
    "test_pipeline_poison.py",
    "test_pipeline_skips.py",
    "test_pipeline_cache_parts.py",
    "test_pipeline_flags.py",
    "test_pipeline_fuzz.py",
    "test_dagster_ui.py",
    "test_bench_smoke.py",
    "test_pipeline_incremental.py",
    "test_pipeline_seeds.py",
    "test_pipeline_up_to_date.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every process collects the same order (xdist requires it): a stable sort by file."""
    rank = {name: i for i, name in enumerate(SLOWEST_FILES_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))
