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
