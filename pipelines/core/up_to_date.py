"""Whether the published warehouse is what a refresh would build now, told without Dagster.

A refresh that finds nothing new rebuilds nothing (each step compares its inputs'
fingerprints with the published ones, and dbt is not called) and publishes a warehouse equal
to the published one. Launching the job to learn that still costs seconds at any size:
importing Dagster, dagster-dbt and dbt, the run's events, the copy of the database into a
snapshot. So `govreports refresh` asks `published_is_current` first (under the writer lock)
and launches no run when the answer is yes.

Yes only when all of these hold (any doubt: no, and the job runs and decides step by step):

- every name readers open in the warehouse dir is the link a publish makes;
- the published snapshot's seal verifies: every file's bytes are the sealed ones, and no
  file is missing or unsealed (the job would rebuild a damaged one);
- it was built by this code (`pipelines.core.code_key`: recorded when its run started,
  kept at publish only if the code had not changed since);
- it has no parse skips (files that could not be handed to the parser are retried by
  every refresh), and no report refused for want of OCR if OCR can run now;
- the raw dir, scanned now exactly as the refresh scans it (today's re-read slice
  included), gives the published manifest, row for row.

No Dagster here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq

from pipelines.core import code_key, parse_step, raw_manifest, seals
from pipelines.core.paths import WarehouseLayout
from pipelines.core.snapshots import links_in_place, published_snapshot


@dataclass(frozen=True)
class Current:
    """The published snapshot, current: its dir and what a summary shows of it."""

    snapshot: Path
    files_present: int
    files_unreadable: int
    mart_rows: dict[str, int]


def published_is_current(raw_dir: Path, layout: WarehouseLayout) -> Current | None:
    try:
        return _current(raw_dir, layout)
    except Exception:  # noqa: BLE001 - any doubt (a file gone mid-check, a DuckDB error): run
        raw_manifest.forget_scan()
        return None


def _current(raw_dir: Path, layout: WarehouseLayout) -> Current | None:
    snapshot = published_snapshot(layout)
    if snapshot is None or not links_in_place(layout):
        return None
    if code_key.recorded(snapshot) != code_key.code_key():
        return None
    if not _no_parse_skips(snapshot) or _reports_wait_for_ocr_that_can_run(snapshot):
        return None
    published = raw_manifest.read_manifest(snapshot / "raw_manifest.parquet")
    scanned, stats = raw_manifest.scan(raw_dir, published, datetime.now(UTC))
    if not scanned.equals(published):
        # news: the run about to start here takes this scan (it starts from this manifest)
        raw_manifest.remember_scan(raw_dir, published, (scanned, stats))
        return None
    if not seals.verifies(snapshot):
        return None
    return Current(snapshot, stats.present, stats.unreadable, _mart_rows(snapshot))


def _no_parse_skips(snapshot: Path) -> bool:
    return pq.read_metadata(snapshot / "parse_skipped.parquet").num_rows == 0


def _reports_wait_for_ocr_that_can_run(snapshot: Path) -> bool:
    """Reports refused for want of OCR, which can run now: a run reads them again."""
    reasons = pq.read_table(snapshot / "reports.parquet", columns=["status_reason"])
    return parse_step.read_again_for_ocr(reasons.column("status_reason")) is not None


def _mart_rows(snapshot: Path) -> dict[str, int]:
    rows = {}
    for path in sorted((snapshot / "marts").glob("*.parquet")):
        rows[path.stem] = pq.read_metadata(path).num_rows
    return rows
