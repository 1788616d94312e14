"""The parse cache's rows, built from a `Report`'s fields, equal `Report.to_dict()`'s."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pyarrow as pa

from parsers import parse_report
from pipelines.parsed_rows import report_batch
from pipelines.tables import PARSED_SCHEMA
from tests.pipeline_support import SHIPPED_SEEDS, report_from_spec, spec, table3

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def via_to_dict(results) -> pa.Table:
    rows = [{"sha256": sha, "parsed_at": NOW, **report.to_dict()} for sha, report in results]
    return pa.Table.from_pylist(rows, schema=PARSED_SCHEMA)


def test_rows_from_fields_equal_to_dict():
    results = []
    for i, path in enumerate(sorted(SHIPPED_SEEDS.glob("*"))):
        results.append((f"{i:064x}", parse_report(path.read_bytes(), path.name)))
    results.append(("f" * 64, parse_report(b"not a report", "junk.txt")))  # rejected, no facts
    fake = spec("某区人民政府", 2023, natural=table3(new=3, granted=2), narrative={"x": 1})
    results.append(("e" * 64, report_from_spec(json.dumps(fake).encode(), "f.txt")))
    batch = report_batch(results, NOW)
    assert batch.schema == PARSED_SCHEMA
    assert pa.Table.from_batches([batch]).equals(via_to_dict(results))
