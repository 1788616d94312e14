"""Entry point: bytes of one report → `Report` (placeholder until the readers land)."""

from __future__ import annotations

import hashlib

from parsers.model import STATUS_REJECTED, Report

PARSER_VERSION = "0.1.0"


def report_id_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def parse_report(data: bytes, source_path: str | None = None) -> Report:
    return Report(
        report_id=report_id_of(data),
        source_path=source_path,
        encoding=None,
        encoding_confidence=0.0,
        layout="unknown",
        format_version="unknown",
        agency=None,
        year=None,
        status=STATUS_REJECTED,
        status_reason="parser not implemented yet",
        parser_version=PARSER_VERSION,
    )
