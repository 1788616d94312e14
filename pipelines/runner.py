"""Run the refresh job (the same job the schedule and the sensor launch): in-process, or on
the multiprocess or Dask executor (`pipelines.fanout_run`)."""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg

from pipelines.core import dbt_project
from pipelines.core.parse_file import DEFAULT_MAX_FILE_MB
from pipelines.core.parse_step import default_workers
from pipelines.definitions import defs as load_project_defs
from pipelines.executors import EXECUTORS
from pipelines.instance import project_instance
from pipelines.progress import Progress, progress_logger

JOB = "refresh"


@functools.cache
def project_defs() -> dg.Definitions:
    """The code location's definitions, loaded once per process (loading the defs folder
    costs ~0.5 s; a process that refreshes many times, as the tests do, pays it once)."""
    return load_project_defs()


@dataclass
class Outcome:
    success: bool
    run_id: str
    failures: list[tuple[str, str]] = field(default_factory=list)  # (step, error message)
    metadata: dict[str, dict] = field(default_factory=dict)  # asset → its metadata values
    checks: dict[str, bool] = field(default_factory=dict)  # asset check → passed


def run_config(
    raw_dir: Path,
    warehouse_dir: Path,
    workers: int,
    max_file_mb: int,
    executor: str = "in_process",
    shards: int = 1,
) -> dict:
    """The refresh's run config. `workers`: parser processes inside each shard step under
    the in-process executor; under the others, the executor's processes (step processes,
    Dask workers), each shard then parsing in its step's own process."""
    config = {
        "resources": {
            "raw_dir": {"config": {"path": str(raw_dir)}},
            "warehouse": {"config": {"path": str(warehouse_dir)}},
        },
        "ops": {
            "parsed_reports": {
                "config": {
                    "workers": workers if executor == "in_process" else 1,
                    "max_file_mb": max_file_mb,
                    "shards": shards,
                }
            }
        },
        # only the progress logger: it replaces Dagster's line-per-event console log
        "loggers": {"progress": {}},
    }
    if executor == "multiprocess":
        config["execution"] = {"config": {"multiprocess": {"max_concurrent": workers or None}}}
    elif executor != "in_process":  # dask: the scheduler's address is filled in at launch
        config["execution"] = {"config": {executor: {}}}
    return config


def run_refresh(
    raw_dir: Path,
    warehouse_dir: Path,
    workers: int = 0,
    instance: dg.DagsterInstance | None = None,
    show_progress: bool = True,
    max_file_mb: int = DEFAULT_MAX_FILE_MB,
    executor: str = "in_process",
    shards: int = 0,
    dask_address: str | None = None,
) -> Outcome:
    """Run the refresh job. `executor` in_process runs it here (today's default);
    multiprocess and dask launch the same job through `pipelines.fanout_run` (a persistent
    instance is needed). `shards` 0: 1 in-process, else two per worker."""
    if executor not in EXECUTORS:
        raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, not {executor!r}")
    workers = workers or (0 if executor == "in_process" else default_workers())
    shards = shards or (1 if executor == "in_process" else 2 * workers)
    config = run_config(raw_dir, warehouse_dir, workers, max_file_mb, executor, shards)
    instance = instance or project_instance()
    if executor != "in_process":
        from pipelines.fanout_run import execute

        return outcome_of(execute(config, instance, workers, dask_address, show_progress))
    project = project_defs()
    dbt_project.warm_up()  # (the dbt step runs in this process too)
    job = project.resolve_job_def(JOB)
    handler = Progress(static_steps(job), sys.stderr if show_progress else None)
    defs = dg.Definitions.merge(
        project, dg.Definitions(loggers={"progress": progress_logger(handler)})
    )
    result = defs.resolve_job_def(JOB).execute_in_process(
        run_config=config, instance=instance, raise_on_error=False
    )
    return outcome_of(result)


def static_steps(job: dg.JobDefinition) -> int:
    """The job's steps known before it runs: its ops, less the one the parse shards are
    mapped from (each shard adds a step as it starts)."""
    nodes = {str(h) for h in job.graph.iterate_node_handles()}
    ops = [n for n in nodes if not any(o.startswith(f"{n}.") for o in nodes)]
    return len(ops) - 1


#: The last asset of a refresh: a run that did not materialize it published nothing.
PUBLISHED = "published_warehouse"


def outcome_of(result) -> Outcome:
    """What the CLI and the tests read of a finished run: failures, metadata, checks."""
    outcome = Outcome(success=result.success, run_id=result.run_id)
    run_error = None
    for event in result.all_events:
        if event.is_step_failure:
            error = event.step_failure_data.error
            outcome.failures.append((event.step_key, _root_message(error)))
        elif event.event_type_value == "RESOURCE_INIT_FAILURE" and event.engine_event_data.error:
            # e.g. the writer lock is held by another refresh
            outcome.failures.append(("start", _root_message(event.engine_event_data.error)))
        elif event.is_run_failure and getattr(event.event_specific_data, "error", None):
            run_error = _root_message(event.event_specific_data.error)
        elif event.is_step_materialization:
            materialization = event.step_materialization_data.materialization
            outcome.metadata[materialization.asset_key.to_user_string()] = {
                key: value.value for key, value in materialization.metadata.items()
            }
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            outcome.checks[evaluation.check_name] = evaluation.passed
    if not outcome.success and not outcome.failures and run_error:
        outcome.failures.append(("run", run_error))
    if outcome.success and PUBLISHED not in outcome.metadata:
        # Dagster skips a step whose upstream outputs were not all yielded, and calls the run
        # a success: a refresh that published nothing must not say so
        outcome.success = False
        outcome.failures.append((PUBLISHED, "skipped: the run published nothing"))
    return outcome


def _root_message(error) -> str:
    """The innermost cause's message: what went wrong, without Dagster's wrapping."""
    while error.cause is not None:
        error = error.cause
    message = error.message.strip()
    qualified, sep, rest = message.partition(": ")
    if sep and qualified.split(".")[-1] == error.cls_name:  # "dagster….Failure: text"
        return rest.strip()
    return message
