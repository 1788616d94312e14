"""Shared test helpers: where the real reports live (a copy kept in the repository)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
#: The project's seeds and corpus (`shared/` beside the steering repo), copied in.
SHARED = Path(__file__).resolve().parent / "fixtures" / "reports"
EXPECTED = Path(__file__).resolve().parent / "expected"


def shared_path(rel: str) -> Path:
    path = SHARED / rel
    if not path.exists():  # a missing fixture is a failure, never a skip
        pytest.fail(f"test fixture {path} is missing (tests/fixtures/reports/ is in the repo)")
    return path
