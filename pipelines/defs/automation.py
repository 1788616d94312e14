"""The refresh job, its nightly schedule (Asia/Shanghai) and a sensor on the raw dir."""

import hashlib
import os

import dagster as dg

from pipelines.core.raw_dir import scan_raw_dir
from pipelines.defs.resources import RawDir

refresh_job = dg.define_asset_job(
    "refresh", selection=dg.AssetSelection.all(), description="Ingest new raw files, rebuild SQL."
)

nightly_refresh = dg.ScheduleDefinition(
    name="nightly_refresh",
    job=refresh_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
)


def raw_dir_fingerprint(raw_dir: RawDir) -> str:
    """Changes whenever a file under the raw dir is added, removed, resized or touched."""
    digest = hashlib.sha256()
    root = raw_dir.root
    for entry in scan_raw_dir(root) if root.is_dir() else []:
        try:
            st = os.lstat(entry.path)  # links are listed, never followed
            state = f"{st.st_size}\0{st.st_mtime_ns}"
        except OSError:  # gone since the listing
            state = "gone"
        digest.update(f"{entry.rel}\0{state}\n".encode())
    return digest.hexdigest()


@dg.sensor(
    job=refresh_job, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING
)
def raw_dir_sensor(context: dg.SensorEvaluationContext, raw_dir: RawDir):
    """Requests a refresh when the files under the raw dir differ from the last request."""
    if not raw_dir.root.is_dir():
        return dg.SkipReason(f"raw dir {raw_dir.root} does not exist")
    fingerprint = raw_dir_fingerprint(raw_dir)
    if fingerprint == context.cursor:
        return dg.SkipReason("no new or changed files")
    context.update_cursor(fingerprint)
    return dg.RunRequest(run_key=fingerprint)
