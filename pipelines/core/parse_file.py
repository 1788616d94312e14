"""Read one file and hand its bytes to the parser; never raises.

Shared by `govreports parse` and the parse pool, so both treat an unreadable, oversized or
non-regular file (or a parser bug) the same way: a `rejected` report with the reason.
Imports no Dagster, so `govreports parse` stays fast.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from parsers import Report, parse_report, rejected_report
from pipelines.core.raw_dir import describe_error, read_bytes

#: Files above this size are not handed to the parser (a report is well under 1 MB; the
#: parser takes about a second per 5 MB). Set per run: parse config `max_file_mb`.
DEFAULT_MAX_FILE_MB = 16
MB = 1024 * 1024


def read_and_parse(
    path: str | Path,
    label: str | None = None,
    max_bytes: int = DEFAULT_MAX_FILE_MB * MB,
    follow_links: bool = False,
) -> tuple[str | None, Report]:
    """(sha256 of the bytes read, or None when nothing was read; report) for one file."""
    label = str(path) if label is None else label
    try:
        data = read_bytes(Path(path), max_bytes, follow_links)
    except OSError as exc:
        return None, rejected_report(describe_error(exc), label)
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        report = parse_report(data, label)
    except Exception as exc:  # the parser promises not to raise; a bug must not stop a batch
        report = rejected_report(f"parser error: {type(exc).__name__}: {exc}", label, sha256[:16])
    return sha256, report
