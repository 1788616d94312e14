"""The sensor on the raw dir and the nightly schedule, with Dagster's context builders."""

from __future__ import annotations

import os
from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines.defs.automation import nightly_refresh, raw_dir_sensor
from pipelines.defs.resources import RawDir


def evaluate(raw_dir, cursor=None):
    context = dg.build_sensor_context(
        cursor=cursor, resources={"raw_dir": RawDir(path=str(raw_dir))}
    )
    return raw_dir_sensor(context), context.cursor


def test_sensor_requests_a_refresh_for_new_or_changed_files(tmp_path):
    (tmp_path / "a.txt").write_text("one")
    first, cursor = evaluate(tmp_path)
    assert isinstance(first, dg.RunRequest) and first.run_key == cursor

    again, same_cursor = evaluate(tmp_path, cursor)
    assert isinstance(again, dg.SkipReason) and same_cursor == cursor

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("two")
    added, cursor_added = evaluate(tmp_path, cursor)
    assert isinstance(added, dg.RunRequest) and cursor_added != cursor

    (tmp_path / "a.txt").write_text("one, edited")
    os.utime(tmp_path / "a.txt", ns=(5, 5))
    changed, cursor_changed = evaluate(tmp_path, cursor_added)
    assert isinstance(changed, dg.RunRequest) and cursor_changed != cursor_added

    (tmp_path / ".partial-download").write_text("ignored")
    ignored, _ = evaluate(tmp_path, cursor_changed)
    assert isinstance(ignored, dg.SkipReason)


def test_sensor_skips_a_missing_raw_dir(tmp_path):
    result, cursor = evaluate(tmp_path / "absent")
    assert isinstance(result, dg.SkipReason) and cursor is None


def test_nightly_schedule_runs_the_refresh_job_in_shanghai_time():
    assert nightly_refresh.execution_timezone == "Asia/Shanghai"
    assert nightly_refresh.cron_schedule == "0 2 * * *"
    assert nightly_refresh.job_name == "refresh"
    when = datetime(2024, 3, 1, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    context = dg.build_schedule_context(scheduled_execution_time=when)
    [request] = nightly_refresh.evaluate_tick(context).run_requests
    assert isinstance(request, dg.RunRequest)
