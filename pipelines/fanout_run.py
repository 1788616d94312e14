"""The refresh job on an executor that runs steps in other processes (multiprocess, Dask).

Such a run needs what `execute_in_process` does without: a job Dagster can rebuild in
each step process (`dg.reconstructable(refresh_job)`, this module's function) and a
persistent Dagster instance whose storage every process reaches (`pipelines.instance`; on
a cluster, a shared database: docs/SCALING.md). `govreports refresh --executor dask`
without `--dask-address` starts a Dask LocalCluster of `--workers` worker processes on this
machine for the run and stops it after; with an address, the run's steps go to that
scheduler's workers.

Progress: each step process prints a line when its step ends (the orchestrating process
does not see the steps' log records), when GOVREPORTS_PROGRESS is set in the environment.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import os
import sys
from collections.abc import Iterator

import dagster as dg

from pipelines.progress import Progress, progress_logger

JOB = "refresh"
PROGRESS_ENV = "GOVREPORTS_PROGRESS"


def refresh_job() -> dg.JobDefinition:
    """The refresh job with the progress logger, as every process of the run rebuilds it
    (once per process: a Dask worker runs many steps)."""
    return _refresh_job()


@functools.cache
def _refresh_job() -> dg.JobDefinition:
    from pipelines.runner import project_defs

    stream = sys.stderr if os.environ.get(PROGRESS_ENV) else None
    handler = Progress(None, stream)
    defs = dg.Definitions.merge(
        project_defs(), dg.Definitions(loggers={"progress": progress_logger(handler)})
    )
    return defs.resolve_job_def(JOB)


def execute(
    run_config: dict,
    instance: dg.DagsterInstance,
    workers: int,
    dask_address: str | None = None,
    show_progress: bool = True,
) -> dg.ExecutionResult:
    """Run the refresh (its executor named in `run_config`) and wait for its end."""
    config = copy.deepcopy(run_config)
    execution = config["execution"]["config"]
    with _progress_env(show_progress), contextlib.ExitStack() as stack:
        if "dask" in execution:
            address = dask_address or stack.enter_context(local_dask_cluster(workers))
            execution["dask"] = {"cluster": {"existing": {"address": address}}}
        return dg.execute_job(
            dg.reconstructable(refresh_job),
            instance=instance,
            run_config=config,
            raise_on_error=False,
        )


@contextlib.contextmanager
def local_dask_cluster(workers: int) -> Iterator[str]:
    """A Dask LocalCluster of `workers` single-threaded worker processes on this machine;
    yields its scheduler's address, and stops it (workers included) on the way out."""
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=workers,
        threads_per_worker=1,  # Dagster steps are not thread-safe (dagster-dask says so too)
        processes=True,
        dashboard_address=None,  # no web server
        memory_limit=0,  # an OCR-heavy shard is not a memory leak: no pausing/restarting
        preload=["pipelines.step_preload"],  # each worker builds the job once, up front
    ) as cluster:
        yield cluster.scheduler_address


@contextlib.contextmanager
def _progress_env(show: bool) -> Iterator[None]:
    old = os.environ.get(PROGRESS_ENV)
    if show:
        os.environ[PROGRESS_ENV] = "1"
    else:
        os.environ.pop(PROGRESS_ENV, None)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(PROGRESS_ENV, None)
        else:
            os.environ[PROGRESS_ENV] = old
