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

REPO = Path(__file__).resolve().parent.parent
#: The project's seeds and corpus (`shared/` beside the steering repo), copied in.
SHARED = Path(__file__).resolve().parent / "fixtures" / "reports"
EXPECTED = Path(__file__).resolve().parent / "expected"


def shared_path(rel: str) -> Path:
    path = SHARED / rel
    if not path.exists():  # a missing fixture is a failure, never a skip
        pytest.fail(f"test fixture {path} is missing (tests/fixtures/reports/ is in the repo)")
    return path
