"""The dbt docs of the warehouse: every refresh that builds models publishes
`docs/index.html` (`dbt docs generate --static`: one file holding the manifest and the
catalog), which opens from the file in a real browser (headless Chromium) and shows the
models, their columns' descriptions and the tests."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from pipelines.core.paths import WarehouseLayout
from tests.pipeline_support import (
    TWO_AGENCIES_WITH_A_COPY,
    install_fake_parser,
    refresh,
    write_specs,
)

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    monkeypatch = pytest.MonkeyPatch()
    install_fake_parser(monkeypatch)
    raw = tmp_path_factory.mktemp("raw")
    write_specs(raw, TWO_AGENCIES_WITH_A_COPY)
    wh = tmp_path_factory.mktemp("wh")
    refresh(raw, wh)
    yield raw, wh
    monkeypatch.undo()


def rendered(page, fragment: str = "") -> str:
    """The DOM of `page` once the browser has run its scripts."""
    if CHROMIUM is None:  # .ci/run installs it: a missing browser is a failure, never a skip
        pytest.fail("chromium is not installed (apt-get install chromium; .ci/run does)")
    proc = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=5000",
            "--dump-dom",
            f"file://{page}{fragment}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return without_scripts(proc.stdout)


def without_scripts(html: str) -> str:
    """The markup without what scripts hold (the manifest and catalog the page embeds)."""
    return re.sub(r"<script[^>]*>.*?</script>", "", html, flags=re.S)


def test_the_docs_are_published_with_the_snapshot_and_render_in_a_browser(warehouse):
    raw, wh = warehouse
    page = wh / "docs" / "index.html"
    assert page.is_file()
    assert page.resolve() == WarehouseLayout(wh).current.resolve() / "docs" / "index.html"
    # a model's page, drawn by the site's scripts from the manifest and the catalog inside
    # the file (nothing of it is in the HTML as written)
    dom = rendered(page.resolve(), "#!/model/model.govreports.consistency_flags")
    assert "One row per report × failed check" in dom  # its description
    assert "check_name" in dom  # a column, from the catalog
    assert "balance_identity" in dom  # a test on it: the asset check of that name
    assert "mart_agency_year" in dom  # the project's tree: every model
    # (none of it is in the page's markup as written: the browser drew it)
    written = without_scripts(page.read_text(encoding="utf-8"))
    assert "One row per report × failed check" not in written and "check_name" not in written


def test_a_refresh_with_nothing_new_keeps_the_docs(warehouse):
    raw, wh = warehouse
    before = (wh / "docs" / "index.html").read_bytes()
    outcome = refresh(raw, wh)
    assert outcome.metadata["mart_agency_year"]["rebuilt"] is False
    assert (wh / "docs" / "index.html").read_bytes() == before
