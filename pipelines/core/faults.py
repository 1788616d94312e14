"""Named points in a refresh where a test can stop it, to prove a crash loses nothing.

`GOVREPORTS_TEST_FAULT=kill@<point>` makes the process SIGKILL itself when it reaches
`<point>`; `pause@<point>` prints `govreports: paused at <point> (pid N)` on stderr and
waits there until something kills it. Unset (always, outside tests), `checkpoint` returns
at once. The points:

    manifest              the run's manifest is written (in its snapshot)
    parse:chunk           a parse worker (or the run itself, with one worker) starts a chunk
    parse:shard:<name>    shard <name> (e.g. h0000_5554) has parsed some of its reports, its
                          part not complete (on a multi-process executor: in the shard's step)
    parse                 every shard's parse-cache part is written, and the run's skips
    write:<file name>     a Parquet file is complete under its temporary name, not yet renamed
    tidy:<table>          a fact table's new parts are written; parts they replace not removed
    model:<name>          dbt has built the model <name> in the snapshot's DuckDB file
                          (called from dbt's event callback, in the middle of `dbt build`)
    dbt:built             `dbt build` is done; the marts' Parquet files are not written yet
    publish:switch        the snapshot is complete and synced; `current` not switched yet
    publish:cleanup       `current` is switched; older snapshots not removed yet
"""

from __future__ import annotations

import os
import signal
import sys
import time

FAULT_ENV = "GOVREPORTS_TEST_FAULT"


def checkpoint(point: str) -> None:
    wanted = os.environ.get(FAULT_ENV)
    if not wanted:
        return
    action, _, where = wanted.partition("@")
    if where != point:
        return
    if action == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "pause":
        print(f"govreports: paused at {point} (pid {os.getpid()})", file=sys.stderr, flush=True)
        while True:
            time.sleep(60)
