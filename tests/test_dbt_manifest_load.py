"""dbt's manifest object is loaded once per process: a refresh starts loading it in a
background thread (`dbt_project.warm_up`) and the first dbt call takes that one, waiting for
it if it is not done; a failed warm-up leaves the load to the call, which reports the error."""

from __future__ import annotations

import threading

import pytest

from pipelines.core import dbt_project


@pytest.fixture
def loads(monkeypatch):
    """Each load of the manifest, recorded; `release` lets a held load finish."""
    calls: list[str] = []
    release = threading.Event()

    def load(done):
        calls.append(threading.current_thread().name)
        release.wait(10)
        if loads.fail_first and len(calls) == 1:
            raise RuntimeError("dbt parse failed")
        return f"manifest of {done.name}"

    monkeypatch.setattr(dbt_project, "_load_manifest", load)
    monkeypatch.setattr(dbt_project, "_MANIFESTS", {})
    loads.calls, loads.release, loads.fail_first = calls, release, False
    yield loads
    release.set()
    join_warm_ups()


def join_warm_ups() -> None:
    for thread in threading.enumerate():
        if thread.name == "dbt-manifest-warm-up":
            thread.join(10)


def test_the_first_call_takes_the_warm_ups_manifest(loads):
    done = dbt_project.manifest_path().parent
    dbt_project.warm_up()
    threading.Timer(0.3, loads.release.set).start()  # the warm-up is still loading
    assert dbt_project._manifest(done) == f"manifest of {done.name}"
    assert dbt_project._manifest(done) == f"manifest of {done.name}"
    join_warm_ups()
    assert len(loads.calls) == 1  # one load, whichever thread got the lock first


def test_a_failed_warm_up_is_loaded_again_by_the_call(loads):
    loads.fail_first = True
    loads.release.set()
    done = dbt_project.manifest_path().parent
    dbt_project.warm_up()
    join_warm_ups()
    assert loads.calls == ["dbt-manifest-warm-up"]
    assert dbt_project._manifest(done) == f"manifest of {done.name}"
    assert loads.calls == ["dbt-manifest-warm-up", "MainThread"]
