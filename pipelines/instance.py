"""The Dagster instance `govreports refresh` records its runs in.

DAGSTER_HOME when set; otherwise the project's dagster.yaml with `.dagster_home/` under the
working directory, the same storage `dagster dev` uses when started from the repository
root, so CLI runs show up in the UI.
"""

from __future__ import annotations

import os
from pathlib import Path

import dagster as dg
from dagster._core.instance.ref import InstanceRef

from pipelines.core.paths import PROJECT_ROOT


def project_instance() -> dg.DagsterInstance:
    if os.environ.get("DAGSTER_HOME"):
        return dg.DagsterInstance.get()
    home = Path.cwd() / ".dagster_home"
    home.mkdir(exist_ok=True)
    return dg.DagsterInstance.from_ref(
        InstanceRef.from_dir(str(home), config_dir=str(PROJECT_ROOT))
    )
