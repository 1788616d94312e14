"""Read one file and hand its bytes to the parser; never raises.

Shared by `govreports parse` and the parse pool, so both treat an unreadable file (or a
parser bug) the same way: a `rejected` report with the reason. Imports no Dagster, so
`govreports parse` stays fast.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from parsers import Report, parse_report, rejected_report


def read_and_parse(path: str | Path, label: str | None = None) -> tuple[str | None, Report]:
    """(sha256 of the bytes read or None, report) for the file at `path`, labelled `label`."""
    label = str(path) if label is None else label
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return None, rejected_report(f"cannot read file: {exc.strerror or exc}", label)
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        report = parse_report(data, label)
    except Exception as exc:  # the parser promises not to raise; a bug must not stop a batch
        report = rejected_report(f"parser error: {type(exc).__name__}: {exc}", label, sha256[:16])
    return sha256, report
