"""A refresh killed with SIGKILL at any point leaves the published warehouse exactly as it
was, and the next refresh completes it: the result equals an uninterrupted run.

The kills are deterministic: `govreports refresh` runs as a subprocess with
GOVREPORTS_TEST_FAULT=kill@<point> and SIGKILLs itself when it reaches that point
(pipelines/core/faults.py). Each case starts from a copy of the same warehouse A (three seeds),
adds files (raw dir B), kills the refresh that would publish B, checks what readers see,
reruns the refresh and compares every table with a run that was never interrupted.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
from types import SimpleNamespace

import pytest

from reportgen.refresh_subprocess import cli_refresh_process, dagster_home
from tests.pipeline_support import (
    SHIPPED_SEEDS,
    assert_same_state,
    leftovers,
    query,
    refresh,
    warehouse_state,
)

SAMPLE = SHIPPED_SEEDS.parent
SEEDS_A = sorted(SHIPPED_SEEDS.glob("*.txt"))[:3]


KILL_BEFORE_SWITCH = [
    "parse",  # the new manifest and a parse-cache part (shared by later runs) are written
    "tidy:applications",  # a fact table's new part is written, the one it replaces still there
    "model:consistency_flags",  # dbt is half way through the snapshot's DuckDB file
    "dbt:built",  # dbt is done; the marts' Parquet files not written yet
    "publish:switch",  # the snapshot is complete and synced, `current` not switched yet
]
KILL_AFTER_SWITCH = "publish:cleanup"  # switched; older snapshots not removed yet


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("crash")
    raw_a, raw_b = base / "raw-a", base / "raw-b"
    (raw_a / "seeds").mkdir(parents=True)
    for seed in SEEDS_A:
        shutil.copy2(seed, raw_a / "seeds" / seed.name)
    shutil.copytree(SAMPLE, raw_b)  # A's files (same bytes) and four more
    (raw_b / "junk.txt").write_text("not a report")
    template = base / "wh-a"
    refresh(raw_a, template)
    reference = base / "wh-b"  # A, then B without interruption
    shutil.copytree(template, reference, symlinks=True)
    refresh(raw_b, reference)
    return SimpleNamespace(
        base=base,
        raw_b=raw_b,
        template=template,
        state_a=warehouse_state(template),
        state_b=warehouse_state(reference, ignore_timestamps=True),
    )


@pytest.fixture(scope="module")
def killed(runs):
    """point → (warehouse dir, return code, stderr): one killed refresh per point, each on
    its own copy of A, run side by side (each kill is deterministic, not a timing)."""
    procs = {}
    for i, point in enumerate([*KILL_BEFORE_SWITCH, KILL_AFTER_SWITCH]):
        wh = runs.base / f"killed-{i}"
        shutil.copytree(runs.template, wh, symlinks=True)
        home = dagster_home(runs.base / f"dagster-{i}")  # instances are not shared
        procs[point] = (wh, cli_refresh_process(runs.raw_b, wh, home, f"kill@{point}"))
    results = {}
    for point, (wh, proc) in procs.items():
        _, err = proc.communicate(timeout=180)
        results[point] = (wh, proc.returncode, err)
    return results


@pytest.mark.parametrize("point", KILL_BEFORE_SWITCH)
def test_killed_before_the_switch_the_old_warehouse_stays_and_a_rerun_completes(
    runs, killed, point
):
    wh, returncode, stderr = killed[point]
    assert returncode == -signal.SIGKILL, stderr  # it did reach the point
    # readers see A, byte for byte (timestamps included)
    assert_same_state(warehouse_state(wh), runs.state_a)

    refresh(runs.raw_b, wh)
    assert_same_state(warehouse_state(wh, ignore_timestamps=True), runs.state_b)
    assert leftovers(wh) == []


def test_killed_after_the_switch_the_new_warehouse_is_complete(runs, killed):
    wh, returncode, stderr = killed[KILL_AFTER_SWITCH]
    assert returncode == -signal.SIGKILL, stderr
    assert_same_state(warehouse_state(wh, ignore_timestamps=True), runs.state_b)

    refresh(runs.raw_b, wh)
    assert_same_state(warehouse_state(wh, ignore_timestamps=True), runs.state_b)
    assert leftovers(wh) == []


def copy_of_a(runs, tmp_path):
    wh = tmp_path / "wh"
    shutil.copytree(runs.template, wh, symlinks=True)
    return wh


READER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
count = lambda: con.execute("SELECT count(*) FROM reports_all_files").fetchone()[0]
print(count(), flush=True)
sys.stdin.readline()
print(count(), con.execute("SELECT count(*) FROM mart_agency_year").fetchone()[0], flush=True)
"""


@pytest.mark.parametrize("mode", ["ro", "rw"])
def test_a_session_open_during_a_refresh_keeps_the_old_warehouse(runs, tmp_path, mode):
    """An analyst's DuckDB session (read-only, or read-write as the duckdb shell opens it)
    neither blocks the refresh nor sees a mix: it keeps the warehouse it opened, and a
    session opened afterwards sees the new one."""
    wh = copy_of_a(runs, tmp_path)
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(wh / "warehouse.duckdb"), mode],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout.readline().split() == [str(len(SEEDS_A))]
        refresh(runs.raw_b, wh)
        out, _ = reader.communicate("go\n", timeout=60)
    finally:
        reader.kill()
    n_b = len([p for p in runs.raw_b.rglob("*") if p.is_file()])
    marts_a = len(runs.state_a["duckdb:mart_agency_year"][1])
    assert out.split() == [str(len(SEEDS_A)), str(marts_a)]
    assert query(wh, "SELECT count(*) FROM reports_all_files") == [(n_b,)]
