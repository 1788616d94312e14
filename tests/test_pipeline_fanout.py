"""The parse step fans out in shards that Dagster's executor places (issue 16, part 2).

The same refresh of the shipped sample raw dir through the in-process executor, the
multiprocess executor and a Dask LocalCluster of two workers (started and stopped here)
gives the same warehouse, row for row: every table and view of the DuckDB file and every
published Parquet file, run ids and times aside. On the multiprocess executor one shard's
step process is SIGKILLed midway first (GOVREPORTS_TEST_FAULT=kill@parse:shard:<name>): the
run fails without publishing and drops the writer lock, and the rerun parses exactly that
shard's reports (nothing lost, nothing parsed twice). No process a run started is left.

Each of these runs pays Dagster's per-step cost on a multi-process executor (a process or a
Dask task, an instance, the event log in SQLite: about a second a step here, and a refresh
has ~55 steps, most of them SQL models), so there is one run per executor, the crash shares
its rerun with the multiprocess comparison, and the three run side by side.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import subprocess
import time
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import psutil
import pyarrow.parquet as pq
import pytest

from parsers import PARSER_VERSION
from pipelines.core import parse_cache_compaction, shards, snapshots, writer_lock
from pipelines.core.parse_step import Job
from pipelines.core.paths import PROJECT_ROOT, WarehouseLayout
from pipelines.core.tables import parse_cache_key
from pipelines.runner import run_refresh
from reportgen.refresh_subprocess import GOVREPORTS, cli_env
from tests.pipeline_support import assert_same_state, leftovers, warehouse_state

SAMPLE = PROJECT_ROOT / "data" / "raw"
SHARDS = 3
#: Columns that record when a run happened (each run has its own times).
WHEN = frozenset({"gone_since", "first_seen", "content_first_seen", "parsed_at"})


def state(wh: Path) -> dict:
    return warehouse_state(wh, ignore_timestamps=True, ignore=WHEN)


def persistent_home(path: Path) -> Path:
    """A Dagster instance every process of a run reaches: SQLite files under `path`."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    return path


def cache_rows(wh: Path) -> list[str]:
    """The content hashes held by the parse cache, one per row (duplicates kept)."""
    parts = parse_cache_compaction.cache_parts(
        WarehouseLayout(wh).parse_cache(parse_cache_key(PARSER_VERSION))
    )
    return sorted(pq.read_table(parts, columns=["sha256"]).column("sha256").to_pylist())


def run_children(before: set[int]) -> list[str]:
    """Processes under this one that were not there before, less multiprocessing's own
    helpers (its fork server and resource tracker live as long as the test process)."""
    helpers = set()
    from multiprocessing import forkserver, resource_tracker

    for pid in (
        getattr(forkserver._forkserver, "_forkserver_pid", None),
        getattr(resource_tracker._resource_tracker, "_pid", None),
    ):
        if pid:
            helpers.add(pid)
    found = []
    for child in psutil.Process().children(recursive=True):
        try:
            if child.pid in before or child.pid in helpers or child.status() == "zombie":
                continue
            found.append(f"{child.pid} {' '.join(child.cmdline())[:120]}")
        except psutil.NoSuchProcess:
            continue
    return found


def no_children_after(before: set[int], seconds: float = 15.0) -> list[str]:
    deadline = time.monotonic() + seconds
    while (found := run_children(before)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return found


def refresh_args(raw: Path, wh: Path, *options: str) -> list[str]:
    return [str(GOVREPORTS), "refresh", "--raw-dir", str(raw), "--warehouse-dir", str(wh)] + [
        *options,
        "--shards",
        str(SHARDS),
    ]


def launch(args: list[str], home: Path, fault: str | None = None) -> subprocess.Popen:
    env = cli_env(home, fault)
    env["GOVREPORTS_OCR"] = "off"  # as the rest of the suite (tests/conftest.py)
    return subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def finish(proc: subprocess.Popen) -> SimpleNamespace:
    try:
        out, err = proc.communicate(timeout=900)
    finally:
        proc.kill()
    return SimpleNamespace(returncode=proc.returncode, stdout=out, stderr=err)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The sample refreshed three ways, side by side (each run mostly waits on its steps'
    processes, so they overlap well even on two cores):

    - in this process, on the in-process executor: the reference;
    - `govreports refresh --executor dask --dask-address …` on a LocalCluster of two
      worker processes that this fixture starts and stops;
    - `govreports refresh --executor multiprocess` with one shard's step process killed
      midway, then the same command again.
    """
    base = tmp_path_factory.mktemp("fanout")
    raw = base / "raw"
    shutil.copytree(SAMPLE, raw)
    digests = {hashlib.sha256(p.read_bytes()).hexdigest() for p in raw.rglob("*") if p.is_file()}
    jobs = [Job(str(raw), d, (d,), 1) for d in sorted(digests)]
    split = dict(shards.split(jobs, SHARDS))
    assert len(split) >= 2, split  # the fan-out has something to spread
    names = sorted(split)
    victim = names[len(names) // 2]
    wh_mp, wh_dask = base / "wh-multiprocess", base / "wh-dask"
    home_mp, home_dask = persistent_home(base / "home-mp"), persistent_home(base / "home-dask")
    multiprocess = refresh_args(raw, wh_mp, "--executor", "multiprocess", "--workers", "2")

    from dask.distributed import LocalCluster

    before = {p.pid for p in psutil.Process().children(recursive=True)}
    killed = launch(multiprocess, home_mp, f"kill@parse:shard:{victim}")
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        address = cluster.scheduler_address
        dask_run = launch(
            refresh_args(raw, wh_dask, "--executor", "dask", "--dask-address", address),
            home_dask,
        )
        reference = base / "wh-in-process"
        outcome = run_refresh(
            raw,
            reference,
            1,
            instance=dg.DagsterInstance.ephemeral(),
            show_progress=False,
            shards=SHARDS,
        )
        killed = finish(killed)
        after_kill = SimpleNamespace(
            published=(wh_mp / "current").exists(),
            lock=(wh_mp / "refresh.lock").read_text(),
            cache=cache_rows(wh_mp),
        )
        rerun = finish(launch(multiprocess, home_mp))
        dask_run = finish(dask_run)
        cluster_processes = run_children(before)
    return SimpleNamespace(
        raw=raw,
        digests=digests,
        split=split,
        victim=victim,
        reference=outcome,
        state=state(reference),
        killed=killed,
        after_kill=after_kill,
        rerun=rerun,
        wh_mp=wh_mp,
        home_mp=home_mp,
        dask=dask_run,
        wh_dask=wh_dask,
        home_dask=home_dask,
        cluster_processes=cluster_processes,
        left_running=no_children_after(before),
    )


def parse_metadata(home: Path) -> dict:
    """The parsed_reports materialization of the last run recorded in the instance."""
    instance = dg.DagsterInstance.from_config(str(home))
    [run] = instance.get_runs(limit=1)
    events = instance.get_records_for_run(run.run_id).records
    for record in events:
        event = record.event_log_entry.dagster_event
        if event and event.is_step_materialization:
            materialization = event.step_materialization_data.materialization
            if materialization.asset_key.to_user_string() == "parsed_reports":
                return {k: v.value for k, v in materialization.metadata.items()}
    raise AssertionError("no parsed_reports materialization")


def test_the_in_process_reference_parses_a_part_per_shard(runs):
    assert runs.reference.success, runs.reference.failures
    parsed = runs.reference.metadata["parsed_reports"]
    assert (parsed["parsed"], parsed["shards"]) == (len(runs.digests), len(runs.split))
    assert len(parsed["cache_part"].splitlines()) == len(runs.split)


def test_a_shard_killed_midway_loses_nothing_and_duplicates_nothing(runs):
    killed = runs.killed
    assert killed.returncode == 1, killed.stderr
    assert f"step parsed_reports.parse_shard[{runs.victim}] failed" in killed.stderr
    assert "the published warehouse is unchanged" in killed.stderr
    assert not runs.after_kill.published
    assert runs.after_kill.lock == ""  # the run's lock was dropped when it ended
    # the other shards' parts are in the cache, nothing of the victim's
    survivors = sorted(j.sha256 for n, js in runs.split.items() if n != runs.victim for j in js)
    assert runs.after_kill.cache == survivors

    assert runs.rerun.returncode == 0, runs.rerun.stderr
    parsed = parse_metadata(runs.home_mp)
    assert parsed["parsed"] == len(runs.split[runs.victim])  # only what the kill lost
    assert parsed["shards"] == 1
    assert cache_rows(runs.wh_mp) == sorted(runs.digests)  # every report once
    assert leftovers(runs.wh_mp) == []  # the killed shard's temporary part was removed


def test_multiprocess_equals_in_process_row_for_row(runs):
    assert_same_state(state(runs.wh_mp), runs.state)
    assert (runs.wh_mp / "refresh.lock").read_text() == ""


def test_dask_equals_in_process_row_for_row(runs):
    assert runs.dask.returncode == 0, runs.dask.stderr
    assert parse_metadata(runs.home_dask)["shards"] == len(runs.split)
    assert_same_state(state(runs.wh_dask), runs.state)
    assert leftovers(runs.wh_dask) == []
    assert (runs.wh_dask / "refresh.lock").read_text() == ""


def test_nothing_is_left_running(runs):
    assert len(runs.cluster_processes) >= 2, runs.cluster_processes  # the Dask workers
    assert runs.left_running == []  # …stopped with the cluster; every step process ended


# --- the pieces -----------------------------------------------------------------------


def test_shards_are_prefix_ranges_and_only_ranges_with_work_are_made():
    jobs = [Job("r", hashlib.sha256(str(i).encode()).hexdigest(), (str(i),), 1) for i in range(500)]
    assert shards.split(jobs, 1) == [("h0000_ffff", jobs)]
    split = shards.split(jobs, 7)
    assert [name for name, _ in split] == [shards.shard_name(*b) for b in shards.bounds(7)]
    assert sorted(j.sha256 for _, js in split for j in js) == sorted(j.sha256 for j in jobs)
    for name, js in split:
        low, high = (int(x, 16) for x in name[1:].split("_"))
        assert all(low <= int(j.sha256[:4], 16) <= high for j in js)
    # a range without work makes no step
    few = [j for j in jobs if j.sha256 < "4"]
    assert [name for name, _ in shards.split(few, 4)] == ["h0000_3fff"]
    with pytest.raises(ValueError):
        shards.bounds(0)


HOLD = """
import sys
from pathlib import Path
from pipelines.core import writer_lock
lock = writer_lock.acquire(Path(sys.argv[1]), sys.argv[2])
print("held", flush=True)
sys.stdin.readline()
"""


def test_a_step_joins_the_lock_its_run_holds_and_no_other(tmp_path):
    path = tmp_path / "refresh.lock"
    holder = subprocess.Popen(
        [str(Path(GOVREPORTS).with_name("python")), "-c", HOLD, str(path), "run-a"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        assert path.read_text().startswith(f"run run-a, pid {holder.pid}, ")
        with writer_lock.join_run(path, "run-a") as joined:  # a step of that run
            assert joined.joined
        assert path.read_text().startswith("run run-a, ")  # untouched by the step
        with pytest.raises(writer_lock.WarehouseBusy, match="run run-a"):
            writer_lock.join_run(path, "run-b")  # a step of another run
        with pytest.raises(writer_lock.WarehouseBusy):
            writer_lock.acquire(path, "run-b")
    finally:
        holder.communicate("done\n", timeout=30)  # exits holding it: the kernel drops it
    # the run's launching process is gone: its steps stop, the next run takes over
    with pytest.raises(writer_lock.RunLockLost, match="run-a"):
        writer_lock.join_run(path, "run-a")
    with writer_lock.acquire(path, "run-c") as taken:
        assert taken.stale_holder and taken.stale_holder.startswith("run run-a, ")
        with writer_lock.join_run(path, "run-c"):  # in the holding process: re-entered
            pass
        assert path.read_text().startswith("run run-c, ")
    assert path.read_text() == ""


def test_the_cli_lock_takes_the_run_id_when_the_run_starts(tmp_path):
    path = tmp_path / "refresh.lock"
    with writer_lock.acquire(path) as cli:  # `govreports refresh`, before Dagster loads
        assert path.read_text().startswith("pid ")
        with writer_lock.acquire(path, "run-x"):  # the run's orchestrating process
            assert path.read_text().startswith(f"run run-x, pid {os.getpid()}, ")
        assert cli.stale_holder is None
    assert path.read_text() == ""


def _start(root: str, barrier, out) -> None:
    barrier.wait()
    files = snapshots.start(WarehouseLayout(Path(root)), "run-1")
    out.put(sorted(p.name for p in files.root.iterdir()))


def test_a_snapshot_started_by_several_processes_of_a_run_at_once(tmp_path):
    layout = WarehouseLayout(tmp_path / "wh")
    published = layout.snapshots / "run-0"
    published.mkdir(parents=True)
    names = [f"t{i:03}.parquet" for i in range(400)]
    for name in names:
        (published / name).write_bytes(name.encode() * 64)
    layout.current.symlink_to(Path("snapshots") / "run-0")
    (layout.snapshots / "run-killed").mkdir()  # a killed run's: removed

    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_start, args=(str(layout.root), barrier, out)) for _ in range(4)]
    for proc in procs:
        proc.start()
    for proc in procs:
        proc.join(60)
    assert [proc.exitcode for proc in procs] == [0, 0, 0, 0]
    seen = [out.get(timeout=5) for _ in procs]
    assert all(listing == seen[0] for listing in seen)  # each found the whole copy
    assert set(names) <= set(seen[0])
    assert sorted(p.name for p in layout.snapshots.iterdir()) == ["run-0", "run-1"]


def test_another_executor_is_made_fit_for_the_refresh():
    """`run_locked` (how a deployment uses dagster-k8s's executor, docs/SCALING.md): the run
    holds the writer lock in its orchestrating process, the DuckDB steps one at a time."""
    from pipelines.executors import ONE_DUCKDB_STEP, RunLockedExecutor, run_locked
    from pipelines.fanout_run import refresh_job

    locked = run_locked(dg.multiprocess_executor)
    config = {"max_concurrent": 3, "retries": {"enabled": {}}}
    executor = locked.executor_creation_fn(
        dg.InitExecutorContext(
            job=dg.reconstructable(refresh_job),
            executor_def=locked,
            executor_config=config,
            instance=dg.DagsterInstance.ephemeral(),
        )
    )
    assert isinstance(executor, RunLockedExecutor)
    assert executor.inner._tag_concurrency_limits == ONE_DUCKDB_STEP
    assert executor.inner._max_concurrent == 3
    assert locked.get_requirements(config) == dg.multiprocess_executor.get_requirements(config)
