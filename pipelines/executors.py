"""The refresh job's executor, chosen per run by its config: where the steps run.

    execution:
      config:
        in_process: {}          # the default: every step in the run's own process
        multiprocess:           # Dagster's multiprocess executor: one process per step
          max_concurrent: 2
        dask:                   # on a Dask cluster (pipelines.dask_executor)
          cluster:
            existing: {address: "tcp://scheduler:8786"}   # or local: {n_workers: 2}

Whatever the executor, the steps are the same: the parse step fans out into shard steps
(`pipelines.core.shards`), which the executor spreads; everything else runs as before.

Two rules hold for the executors that run steps in other processes:

- One DuckDB writer: the steps that open the snapshot's database (`DUCKDB_STEP` tag: the
  SQL models, the checks, the publish) run one at a time (a tag concurrency limit, applied
  by Dagster itself), since DuckDB allows one process to open a database file for writing.
- The writer lock belongs to the run: the orchestrating process takes it before the first
  step starts and drops it when the run ends (`RunLockedExecutor`); the steps' warehouse
  resources only check that their run holds it (`writer_lock.join_run`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import dagster as dg
from dagster._core.definitions.executor_definition import multiple_process_executor_requirements
from dagster._core.events import DagsterEvent, EngineEventData
from dagster._core.execution.context.system import PlanOrchestrationContext
from dagster._core.execution.plan.plan import ExecutionPlan
from dagster._core.execution.retries import RetryMode

EXECUTORS = ("in_process", "multiprocess", "dask")

#: The op tag of steps that open the snapshot's DuckDB database.
DUCKDB_TAG = "govreports/duckdb"
DUCKDB_STEP = {DUCKDB_TAG: "open"}
#: At most one of them at a time, on any executor that runs steps side by side.
ONE_DUCKDB_STEP = [{"key": DUCKDB_TAG, "value": "open", "limit": 1}]

DASK_CONFIG = dg.Field(
    {
        "cluster": dg.Field(
            dg.Selector(
                {
                    "existing": dg.Field(
                        {"address": dg.StringSource}, description="A running Dask scheduler."
                    ),
                    "local": dg.Field(
                        dg.Permissive(),
                        is_required=False,
                        description="A LocalCluster for the run (distributed.LocalCluster "
                        "arguments, e.g. n_workers).",
                    ),
                }
            ),
            default_value={"local": {}},
        )
    },
    description="Each step on a worker of a Dask cluster (dagster-dask).",
)


def executor_kind(run_config: Mapping | None) -> str:
    """Which executor a run's config chooses (`in_process` when it chooses none)."""
    config = ((run_config or {}).get("execution") or {}).get("config") or {}
    return next((kind for kind in EXECUTORS if kind in config), "in_process")


def _requirements(config: Mapping) -> list:
    return [] if "in_process" in config else list(multiple_process_executor_requirements())


@dg.executor(
    name="govreports_executor",
    config_schema=dg.Field(
        dg.Selector(
            {
                "in_process": dg.in_process_executor.config_schema.as_field(),
                "multiprocess": dg.multiprocess_executor.config_schema.as_field(),
                "dask": DASK_CONFIG,
            }
        ),
        default_value={"in_process": {}},
    ),
    requirements=_requirements,
)
def refresh_executor(init_context: dg.InitExecutorContext) -> dg.Executor:
    """In-process (default), multiprocess or Dask, by the run's config."""
    ((kind, config),) = init_context.executor_config.items()
    if kind == "in_process":
        return _create(dg.in_process_executor, init_context, config)
    if kind == "multiprocess":
        config = {
            **config,
            # a step process forks from a server that has built the job already (spawn,
            # Dagster's default, imports Dagster and loads the project for each of ~55 steps)
            "start_method": config.get("start_method")
            or {"forkserver": {"preload_modules": ["pipelines.step_preload"]}},
        }
        return _run_locked(dg.multiprocess_executor, init_context, config)
    from pipelines.dask_executor import DaskFanOutExecutor  # imports Dask: only when asked

    ((cluster_type, cluster_config),) = config["cluster"].items()
    return RunLockedExecutor(
        DaskFanOutExecutor(cluster_type, dict(cluster_config or {}), ONE_DUCKDB_STEP)
    )


def run_locked(definition: dg.ExecutorDefinition) -> dg.ExecutorDefinition:
    """Another executor that runs steps in their own processes or pods, made fit for the
    refresh: it holds the writer lock for the run in its orchestrating process and runs the
    DuckDB steps one at a time (its config must take `tag_concurrency_limits`, as Dagster's
    multiprocess, dagster-k8s's `k8s_job_executor` and dagster-celery's do). E.g. on
    Kubernetes: `executor=run_locked(k8s_job_executor)` (docs/SCALING.md)."""

    @dg.executor(
        name=f"govreports_{definition.name}",
        config_schema=definition.config_schema.as_field(),
        requirements=definition.get_requirements,
    )
    def _locked(init_context: dg.InitExecutorContext) -> dg.Executor:
        return _run_locked(definition, init_context, dict(init_context.executor_config))

    return _locked


def _run_locked(
    definition: dg.ExecutorDefinition, context: dg.InitExecutorContext, config: dict
) -> RunLockedExecutor:
    config = {
        **config,
        "tag_concurrency_limits": ONE_DUCKDB_STEP + (config.get("tag_concurrency_limits") or []),
    }
    return RunLockedExecutor(_create(definition, context, config))


def _create(definition: dg.ExecutorDefinition, context: dg.InitExecutorContext, config):
    return definition.executor_creation_fn(  # type: ignore[misc]
        dg.InitExecutorContext(
            job=context.job,
            executor_def=definition,
            executor_config=config,
            instance=context.instance,
        )
    )


class RunLockedExecutor(dg.Executor):
    """Runs `inner` holding the warehouse's writer lock for the run, in the orchestrating
    process, from before the first step to after the last (success, failure or error)."""

    def __init__(self, inner: dg.Executor):
        self.inner = inner

    @property
    def retries(self) -> RetryMode:
        return self.inner.retries

    @property
    def step_dependency_config(self):
        return self.inner.step_dependency_config

    def execute(
        self, plan_context: PlanOrchestrationContext, execution_plan: ExecutionPlan
    ) -> Iterator[DagsterEvent]:
        from pipelines.core import writer_lock
        from pipelines.core.warehouse_guard import WarehouseLayoutError, check_dirs, check_layout
        from pipelines.defs.resources import run_dirs

        raw_root, layout = run_dirs(plan_context.run_config)
        problem = check_dirs(raw_root, layout.root)
        if problem:
            raise dg.Failure(problem)
        try:
            check_layout(layout)  # before the lock: it creates refresh.lock
            lock = writer_lock.acquire(layout.lock, plan_context.run_id)
        except (writer_lock.WarehouseBusy, WarehouseLayoutError) as exc:
            raise dg.Failure(str(exc)) from None
        with lock:
            if lock.stale_holder:
                yield DagsterEvent.engine_event(
                    plan_context,
                    f"a previous refresh did not finish ({lock.stale_holder}); "
                    "its partial snapshot is discarded",
                    EngineEventData(),
                )
            yield from self.inner.execute(plan_context, execution_plan)
