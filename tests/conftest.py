"""Shared test helpers: where the real reports beside the repo live."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
EXPECTED = Path(__file__).resolve().parent / "expected"


def shared_path(rel: str) -> Path:
    path = SHARED / rel
    if not path.exists():
        pytest.skip(f"{path} not present (../shared is beside the repo in CI)")
    return path
