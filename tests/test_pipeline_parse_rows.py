"""The parse step: rows built from a `Report`'s fields equal `Report.to_dict()`'s, results stream
chunk by chunk, and a part reaches the cache only complete."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from parsers import parse_report
from pipelines.core import parse_step
from pipelines.core.parse_records import report_batch
from pipelines.core.raw_manifest import refresh_manifest
from pipelines.core.tables import PARSED_SCHEMA
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
            parse_step.Job(str(raw), hashlib.sha256(data).hexdigest(), (f"f{i}.txt",), 1 << 20)
        )
    return jobs


def test_results_stream_chunk_by_chunk(tmp_path):
    """parse_all yields one bounded batch per chunk as it goes, not one list at the end."""
    raw = tmp_path / "raw"
    raw.mkdir()
    jobs = _jobs(raw, 2 * parse_step.MAX_CHUNK + 5)
    results = parse_step.parse_all(jobs, 1, NOW)
    assert not isinstance(results, list)
    sizes = [r.batch.num_rows for r in results]
    assert len(sizes) > 1 and max(sizes) <= parse_step.MAX_CHUNK and sum(sizes) == len(jobs)


def test_a_parse_that_fails_midway_leaves_no_part_in_the_cache(tmp_path, monkeypatch):
    """The part is written under a temporary name and renamed only once complete."""
    raw, cache = tmp_path / "raw", tmp_path / "cache"
    raw.mkdir()
    _jobs(raw, 300)
    manifest = tmp_path / "manifest.parquet"
    refresh_manifest(raw, manifest, manifest, NOW)
    real = parse_step.parse_all

    def fail_after_two_chunks(*args):
        for i, result in enumerate(real(*args)):
            if i == 2:
                raise RuntimeError("killed")
            yield result

    monkeypatch.setattr(parse_step, "parse_all", fail_after_two_chunks)
    monkeypatch.setattr(parse_step, "MAX_CHUNK", 16)
    with pytest.raises(RuntimeError):
        parse_step.parse_pending(raw, manifest, cache, tmp_path / "skips.parquet", 1, NOW, 1 << 20)
    assert not cache.exists() or list(cache.iterdir()) == []
    monkeypatch.setattr(parse_step, "parse_all", real)
    stats = parse_step.parse_pending(
        raw, manifest, cache, tmp_path / "skips.parquet", 1, NOW, 1 << 20
    )
    assert stats.parsed == 300 and [p.name for p in cache.iterdir()] == [stats.part]


def test_a_chunk_is_parsed_with_the_cycle_collector_paused(tmp_path, monkeypatch):
    # the chunk's reports stay alive until its batch is built: no automatic collection
    # walks them meanwhile, and the collector is back on after the chunk, even on an error
    import gc

    seen = []

    def fake_read_and_parse(path, label, max_bytes):
        seen.append(gc.isenabled())
        if label == "boom":
            raise RuntimeError("boom")
        return "0" * 64, parse_report(b"x", label)

    monkeypatch.setattr(parse_step, "read_and_parse", fake_read_and_parse)
    jobs = [parse_step.Job(str(tmp_path), "0" * 64, (f"{i}.txt",), 1000) for i in range(3)]
    assert gc.isenabled()
    result = parse_step._parse_chunk(jobs, NOW)
    assert seen == [False, False, False] and gc.isenabled()
    assert result.batch.num_rows == 3
    with pytest.raises(RuntimeError):
        parse_step._parse_chunk([parse_step.Job(str(tmp_path), "0" * 64, ("boom",), 1000)], NOW)
    assert gc.isenabled()


def cycles_left_by_parsing() -> list[int]:
    """Objects the cycle collector finds after each parse of inputs that once left some."""
    import gc
    import random

    from reportgen.generator import make_case
    from reportgen.mutations import real_reports

    inputs = real_reports()[:20]
    for seed, (layout, encoding) in enumerate(
        [("run_together", "utf-8"), ("tab_rows", "mojibake"), ("html_table", "mojibake-cp936")]
    ):
        inputs.append(make_case(seed, layout, encoding).data)
    inputs.append(random.Random(7).randbytes(20_000))
    for data in inputs:  # first use: lazy imports and caches
        parse_report(data)
    gc.collect()
    found = []
    for data in inputs:
        gc.disable()
        try:
            parse_report(data)
        finally:
            gc.enable()
        found.append(gc.collect())
    return found


def test_parsing_leaves_no_reference_cycles():
    # what makes pausing the collector per chunk safe: a parse leaves nothing for it to
    # find, on real reports and on the generated inputs that once did (run-together digits,
    # mojibake repairs, binary files). In a fresh interpreter: threads other tests leave
    # running (Dagster's) make garbage of their own while the collector is paused.
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import json; from tests.test_pipeline_parse_rows import cycles_left_by_parsing as f; "
        "print(json.dumps(f()))"
    )
    repo = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=repo, capture_output=True, text=True, check=True
    )
    found = json.loads(out.stdout)
    assert len(found) >= 5 and set(found) == {0}, found
