"""The parse step: rows built from a `Report`'s fields equal `Report.to_dict()`'s, results stream
chunk by chunk, and a part reaches the cache only complete."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from parsers import parse_report
from pipelines import parsing
from pipelines.manifest import refresh_manifest
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


def _jobs(raw, n: int):
    jobs = []
    for i in range(n):
        data = f"not a report {i}\n".encode()
        (raw / f"f{i}.txt").write_bytes(data)
        jobs.append(
            parsing.Job(str(raw), hashlib.sha256(data).hexdigest(), (f"f{i}.txt",), 1 << 20)
        )
    return jobs


def test_results_stream_chunk_by_chunk(tmp_path):
    """parse_all yields one bounded batch per chunk as it goes, not one list at the end."""
    raw = tmp_path / "raw"
    raw.mkdir()
    jobs = _jobs(raw, 2 * parsing.MAX_CHUNK + 5)
    results = parsing.parse_all(jobs, 1, NOW)
    assert not isinstance(results, list)
    sizes = [r.batch.num_rows for r in results]
    assert len(sizes) > 1 and max(sizes) <= parsing.MAX_CHUNK and sum(sizes) == len(jobs)


def test_a_parse_that_fails_midway_leaves_no_part_in_the_cache(tmp_path, monkeypatch):
    """The part is written under a temporary name and renamed only once complete."""
    raw, cache = tmp_path / "raw", tmp_path / "cache"
    raw.mkdir()
    _jobs(raw, 300)
    manifest = tmp_path / "manifest.parquet"
    refresh_manifest(raw, manifest, manifest, NOW)
    real = parsing.parse_all

    def fail_after_two_chunks(*args):
        for i, result in enumerate(real(*args)):
            if i == 2:
                raise RuntimeError("killed")
            yield result

    monkeypatch.setattr(parsing, "parse_all", fail_after_two_chunks)
    monkeypatch.setattr(parsing, "MAX_CHUNK", 16)
    with pytest.raises(RuntimeError):
        parsing.parse_pending(raw, manifest, cache, tmp_path / "skips.parquet", 1, NOW, 1 << 20)
    assert not cache.exists() or list(cache.iterdir()) == []
    monkeypatch.setattr(parsing, "parse_all", real)
    stats = parsing.parse_pending(raw, manifest, cache, tmp_path / "skips.parquet", 1, NOW, 1 << 20)
    assert stats.parsed == 300 and [p.name for p in cache.iterdir()] == [stats.part]
