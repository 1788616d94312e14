"""Pages rendered by a real browser (Debian's headless Chromium), for the tests that check
what a person sees: the dbt docs page, the Dagster UI. `.ci/run` installs Chromium; a
missing browser fails these tests, never skips them."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


#: What every call passes: headless, and (this machine's network is closed) no updates, no
#: sync, no first-run pages; the page's scripts run for up to 20 s of virtual time.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--virtual-time-budget=20000",
)


def _chromium(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        pytest.fail("chromium is not installed (apt-get install chromium; .ci/run does)")
    with tempfile.TemporaryDirectory(prefix="chromium-") as profile:  # (one per call)
        proc = subprocess.run(
            [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc


def rendered(url: str, window: str = "1600,1000") -> str:
    """The DOM of the page at `url` once the browser has run its scripts."""
    return _chromium(f"--window-size={window}", "--dump-dom", url).stdout


def screenshot(url: str, path: Path, window: str = "1600,1000") -> None:
    _chromium(f"--window-size={window}", f"--screenshot={path}", url)


def without_scripts(html: str) -> str:
    """The markup without what scripts hold (data a page embeds for its scripts)."""
    return re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.S)
