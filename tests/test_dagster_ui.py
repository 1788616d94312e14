"""The Dagster UI, in a real browser (headless Chromium; issue 15): every dbt model and seed
is an asset of its folder's group, and every dbt data test an asset check of the model it
tests. The webserver serves the project's definitions (`dagster-webserver -m
pipelines.definitions`) on an instance of its own, started and stopped here; the pages are
the ones a person opens (a group's asset list, an asset's checks), read once the UI's
scripts have drawn them."""

from __future__ import annotations

import collections
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from pipelines.core.paths import PROJECT_ROOT
from pipelines.defs.dbt import MANIFEST, TRANSLATOR, relation_name, relations, sql_models
from tests.browser import rendered, screenshot

LOCATION = "pipelines.definitions"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def ui(tmp_path_factory):
    """The UI's address; the webserver (and the code server it starts) stopped after."""
    home = tmp_path_factory.mktemp("dagster-ui")
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\nnux:\n  enabled: false\n")
    port = free_port()
    log = (home / "webserver.log").open("w")
    proc = subprocess.Popen(
        [Path(sys.executable).parent / "dagster-webserver", "-m", LOCATION]
        + ["-h", "127.0.0.1", "-p", str(port)],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DAGSTER_HOME": str(home)},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # (its process group: the code server goes with it)
    )
    address = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{address}/server_info", timeout=5):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"dagster-webserver did not start:\n{log_tail(home)}")
                time.sleep(0.5)
        yield address
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()


def log_tail(home: Path) -> str:
    return (home / "webserver.log").read_text(errors="replace")[-3000:]


def test_every_dbt_model_and_seed_is_an_asset_of_its_folders_group(ui, tmp_path):
    groups = collections.defaultdict(set)
    for node in relations().values():
        groups[TRANSLATOR.get_group_name(node)].add(relation_name(node))
    assert set(groups) == {"staging", "checks", "marts", "seeds"}
    for group, names in groups.items():
        dom = rendered(f"{ui}/locations/{LOCATION}/asset-groups/{group}/list", "1600,4000")
        shown = set(re.findall(r'href="/assets/([^"/?]+)"', dom))
        assert shown == names, group
    # the picture a person sees (the lineage of the marts), taken by the same browser
    picture = tmp_path / "marts.png"
    screenshot(f"{ui}/locations/{LOCATION}/asset-groups/marts", picture)
    assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and picture.stat().st_size > 20_000


def test_every_dbt_test_is_an_asset_check_of_the_model_it_tests(ui):
    checks = collections.defaultdict(set)
    for spec in sql_models.check_specs:
        checks[spec.asset_key.to_user_string()].add(spec.name)
    tests = [n for n in MANIFEST["nodes"].values() if n["resource_type"] == "test"]
    assert sum(len(names) for names in checks.values()) == len(tests)
    for asset, names in checks.items():
        dom = rendered(f"{ui}/assets/{asset}?view=checks", "1600,4000")
        shown = set(re.findall(r'title="([^"]+)"', dom))
        assert names <= shown, (asset, sorted(names - shown))
