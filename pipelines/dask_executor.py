"""dagster-dask's executor, driven step by step so that dynamic outputs work.

dagster-dask's `DaskExecutor` submits the whole execution plan to Dask level by level,
before anything ran, so the steps a dynamic output makes (our parse shards) are never
submitted: dagster-dask does not support dynamic map/collect (dagster issue #9785). This
subclass keeps everything else of it (its worker function `query_on_dask_worker`, which
runs one step with Dagster's `execute_plan` on a Dask worker; its per-step Dask resource
tags; its cluster config) and replaces only the loop: Dagster's own `ActiveExecution`
says which steps are ready (it resolves the dynamic outputs as their events come back,
and applies tag concurrency limits), each ready step is submitted to Dask, and each
finished step's events are fed back to it, as the multiprocess executor does with its
child processes. Dask decides where each step runs; there is no scheduling of our own.

Imported only when a run asks for the Dask executor (importing Dask costs seconds).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

import dask.distributed
from dagster._core.events import DagsterEvent, EngineEventData
from dagster._core.execution.context.system import PlanOrchestrationContext
from dagster._core.execution.plan.active import ActiveExecution
from dagster._core.execution.plan.plan import ExecutionPlan
from dagster._utils.error import serializable_error_info_from_exc_info
from dagster._utils.hosted_user_process import recon_job_from_origin
from dagster_dask.executor import DaskExecutor, get_dask_resource_requirements, query_on_dask_worker
from dagster_shared.serdes import deserialize_value, serialize_value

#: How long to wait for a step to finish before looking for interrupts again (seconds).
_POLL = 0.5


class DaskFanOutExecutor(DaskExecutor):
    def __init__(self, cluster_type: str, cluster_configuration: dict, tag_concurrency_limits):
        super().__init__(cluster_type, cluster_configuration)
        self.tag_concurrency_limits = list(tag_concurrency_limits or [])

    def execute(
        self, plan_context: PlanOrchestrationContext, execution_plan: ExecutionPlan
    ) -> Iterator[DagsterEvent]:
        if not plan_context.instance.is_persistent:
            raise RuntimeError("Dask execution requires a persistent DagsterInstance")
        cluster, close = self._cluster(plan_context.job_name)
        try:
            with dask.distributed.Client(cluster) as client:
                yield DagsterEvent.engine_event(
                    plan_context,
                    f"Executing steps on Dask ({client.scheduler.address}, "
                    f"{len(client.scheduler_info(n_workers=-1)['workers'])} workers)",
                    EngineEventData(),
                )
                yield from self._run(plan_context, execution_plan, client)
        finally:
            if close is not None:
                close()

    def _cluster(self, job_name: str) -> tuple[Any, Any]:
        """The scheduler address (an existing cluster) or a LocalCluster started for this
        run, with what closes it."""
        if self.cluster_type == "existing":
            return self.cluster_configuration["address"], None
        if self.cluster_type == "local":
            cluster = dask.distributed.LocalCluster(**self.build_dict(job_name))
            return cluster, cluster.close
        raise ValueError(f"unsupported Dask cluster type {self.cluster_type!r}")

    def _run(
        self,
        plan_context: PlanOrchestrationContext,
        execution_plan: ExecutionPlan,
        client: dask.distributed.Client,
    ) -> Iterator[DagsterEvent]:
        with ActiveExecution(
            execution_plan,
            retry_mode=self.retries,
            max_concurrent=sys.maxsize,  # every ready step goes to Dask, which queues them
            tag_concurrency_limits=self.tag_concurrency_limits,
        ) as active:
            running: dict[str, dask.distributed.Future] = {}
            stopping = False
            while (not stopping and not active.is_complete) or running:
                if active.check_for_interrupts():
                    stopping = True
                    active.mark_interrupted()
                    for future in running.values():
                        future.cancel()
                    yield DagsterEvent.engine_event(
                        plan_context,
                        "Dask executor: interrupted, steps cancelled",
                        EngineEventData.interrupted(list(running)),
                    )
                    running.clear()
                    break
                for step in active.get_steps_to_execute():
                    running[step.key] = client.submit(
                        run_step,
                        _step_payload(plan_context, step.key, active.get_known_state()),
                        key=f"{plan_context.job_name}.{plan_context.run_id}.{step.key}",
                        resources=get_dask_resource_requirements(step.tags),
                        pure=False,
                    )
                yield from active.concurrency_event_iterator(plan_context)
                if running and not any(f.done() for f in running.values()):
                    try:
                        dask.distributed.wait(
                            list(running.values()), timeout=_POLL, return_when="FIRST_COMPLETED"
                        )
                    except TimeoutError:
                        pass
                for key, future in list(running.items()):
                    if not future.done():
                        continue
                    del running[key]
                    yield from self._finished(plan_context, active, key, future)
                    active.verify_complete(plan_context, key)
                yield from active.plan_events_iterator(plan_context)

    def _finished(
        self,
        plan_context: PlanOrchestrationContext,
        active: ActiveExecution,
        key: str,
        future: dask.distributed.Future,
    ) -> Iterator[DagsterEvent]:
        """The step's events, or a step failure when Dask lost it (its worker died)."""
        try:
            events = deserialize_value(future.result(), list)
        except Exception:  # KilledWorker (the worker died mid-step), a pickling error, …
            error = serializable_error_info_from_exc_info(sys.exc_info())
            step_context = plan_context.for_step(active.get_step_by_key(key))
            yield DagsterEvent.engine_event(
                step_context,
                f"Dask executor: step {key} did not finish on its worker",
                EngineEventData.engine_error(error),
            )
            failure = self.log_failure_or_retry_event_after_error(
                step_context, error, active.get_known_state()
            )
            active.handle_event(failure)
            yield failure
            return
        for event in events:
            yield event
            active.handle_event(event)
            if event.is_resource_init_failure and event.engine_event_data.error:
                # the step never started (e.g. its warehouse resource refused the run's lock)
                step_context = plan_context.for_step(active.get_step_by_key(key))
                failure = self.log_failure_or_retry_event_after_error(
                    step_context, event.engine_event_data.error, active.get_known_state()
                )
                yield failure
                active.handle_event(failure)


def _step_payload(plan_context: PlanOrchestrationContext, step_key: str, known_state) -> str:
    """What a worker needs to run one step, as Dagster serializes it (a string: Dask can
    size and ship it; Dagster's records refuse Dask's way of sizing objects)."""
    return serialize_value(
        [
            plan_context.reconstructable_job.get_python_origin(),
            plan_context.dagster_run,
            plan_context.run_config,
            step_key,
            plan_context.instance.get_ref(),
            known_state,
        ]
    )


def run_step(payload: str) -> str:
    """On a Dask worker: dagster-dask's `query_on_dask_worker` on one step; its events
    serialized."""
    origin, dagster_run, run_config, step_key, instance_ref, known_state = deserialize_value(
        payload, list
    )
    events = query_on_dask_worker(
        [],
        recon_job_from_origin(origin),
        dagster_run,
        run_config,
        [step_key],
        instance_ref,
        known_state,
    )
    return serialize_value(list(events))
