"""Step-by-step progress of a run on the terminal, as a Dagster logger for the CLI."""

from __future__ import annotations

import logging
import sys
import time
from typing import TextIO

import dagster as dg
from dagster._core.log_manager import get_log_record_metadata, has_log_record_metadata

_BAR = 24


class Progress(logging.Handler):
    """Counts finished steps; a bar on a terminal, one line per step otherwise, or silent.
    Without a `total` (a step process of a multi-process run, which sees its own steps
    only), one line per step and no count."""

    def __init__(self, total: int | None, stream: TextIO | None = sys.stderr):
        super().__init__(logging.DEBUG)
        self.total, self.done, self.stream = total, 0, stream
        self.tty = bool(stream and stream.isatty()) and total is not None
        self.started: dict[str, float] = {}

    def emit(self, record: logging.LogRecord) -> None:
        if not has_log_record_metadata(record):
            return
        event = get_log_record_metadata(record)["dagster_event"]
        if event is None or not event.step_key:
            return
        kind = event.event_type_value
        if kind == "STEP_START":
            if "[" in event.step_key and self.total is not None:
                self.total += 1  # a step made by a dynamic output (a parse shard)
            self.started[event.step_key] = time.monotonic()
            self._show(event.step_key, "…")
        elif kind in ("STEP_SUCCESS", "STEP_FAILURE", "STEP_SKIPPED"):
            self.done += 1
            seconds = time.monotonic() - self.started.get(event.step_key, time.monotonic())
            mark = {"STEP_SUCCESS": "ok", "STEP_FAILURE": "FAILED", "STEP_SKIPPED": "skipped"}
            self._show(event.step_key, f"{mark[kind]} {seconds:.1f}s", final=True)

    def _show(self, step: str, state: str, final: bool = False) -> None:
        if self.stream is None:
            return
        if self.total is None:
            if final:
                self.stream.write(f"{step} {state}\n")
                self.stream.flush()
            return
        counter = f"[{self.done:>2}/{self.total}]"
        if self.tty:
            filled = _BAR * self.done // max(self.total, 1)
            bar = "#" * filled + "." * (_BAR - filled)
            self.stream.write(f"\r\033[K{bar} {counter} {step} {state}")
            if self.done == self.total and final:
                self.stream.write("\n")
        elif final:
            self.stream.write(f"{counter} {step} {state}\n")
        self.stream.flush()


def progress_logger(handler: Progress) -> dg.LoggerDefinition:
    @dg.logger(description="Progress of the run's steps on the terminal (govreports refresh).")
    def _progress(_init_context) -> logging.Logger:
        log = logging.getLogger(f"govreports.progress.{id(handler)}")
        log.handlers = [handler]
        log.propagate = False
        log.setLevel(logging.DEBUG)
        return log

    return _progress
