"""The parse cache is compacted: one part per refresh that parsed something, merged once
there are more than `parse_cache_compaction.MAX_PARTS`, with the warehouse exactly as without it."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.core import parse_cache_compaction
from pipelines.core.tables import PARSED_SCHEMA, PartWriter
from pipelines.defs.ingest import parse_cache_dir
from pipelines.defs.resources import Warehouse
from tests.pipeline_support import (
    install_fake_parser,
    refresh,
    spec,
    table3,
    warehouse_state,
    write_specs,
)

AGENCIES = ["樟树市鹿江街道办事处", "洛龙区学府街道办事处", "青山湖区湖坊镇", "西湖区北山街道"]
#: Eight reports, one new file per refresh (two agencies × four years, distinct figures).
SPECS = {
    f"r{i}.txt": spec(AGENCIES[i % 4], 2020 + i // 4, natural=table3(new=i + 1, granted=i + 1))
    for i in range(8)
}
#: Columns that differ between two histories of the same files (when each run happened).
RUN_BOOKKEEPING = frozenset({"gone_since", "first_seen", "content_first_seen", "parsed_at"})


def _cache(warehouse_dir):
    return parse_cache_dir(Warehouse(path=str(warehouse_dir)))


def _rows(cache_dir) -> pa.Table:
    return pq.read_table(parse_cache_compaction.cache_parts(cache_dir)).sort_by("sha256")


@pytest.fixture(scope="module")
def nightly(tmp_path_factory):
    """A warehouse after eight refreshes that each found one new file, compacted at 4
    (built once; a test that changes it works on a copy)."""
    base = tmp_path_factory.mktemp("nightly")
    raw, wh = base / "raw", base / "wh"
    parts_seen, merged = [], []
    with pytest.MonkeyPatch.context() as mp:
        install_fake_parser(mp)
        mp.setattr(parse_cache_compaction, "MAX_PARTS", 4)
        for name, s in SPECS.items():
            write_specs(raw, {name: s})
            outcome = refresh(raw, wh)
            parts_seen.append(len(parse_cache_compaction.cache_parts(_cache(wh))))
            merged.append(outcome.metadata["parsed_reports"]["cache_parts_merged"])
    return raw, wh, parts_seen, merged


def test_nightly_parts_are_merged_and_the_warehouse_is_as_one_refresh_makes_it(
    nightly, tmp_path, monkeypatch
):
    raw, wh, parts_seen, merged = nightly
    install_fake_parser(monkeypatch)
    # one part a night; the fifth makes 5 > 4: the four smallest (of 1 row each) become one
    # (2 parts left), and so on
    assert parts_seen == [1, 2, 3, 4, 2, 3, 4, 2]
    assert merged == [0, 0, 0, 0, 4, 0, 0, 4]
    rows = _rows(_cache(wh))
    assert rows.num_rows == 8 and len(set(rows.column("sha256").to_pylist())) == 8

    once = tmp_path / "once"
    refresh(raw, once)  # the same files in one refresh: one part, nothing merged
    assert len(parse_cache_compaction.cache_parts(_cache(once))) == 1
    state = warehouse_state(wh, ignore=RUN_BOOKKEEPING, ignore_timestamps=True)
    assert state == warehouse_state(once, ignore=RUN_BOOKKEEPING, ignore_timestamps=True)
    columns, applications = state["parquet:applications.parquet"]
    assert len({row[columns.index("report_id")] for row in applications}) == 8


def test_no_compaction_up_to_the_limit_then_the_smallest_merge_and_the_largest_stays(
    nightly, tmp_path
):
    rows = _rows(_cache(nightly[1]))  # 8 parsed reports, one row each
    cache = tmp_path / "cache"
    now = datetime.now(UTC)
    big = _write_part(cache, rows.slice(0, 5), "part-0-big.parquet")
    for i in (5, 6, 7):
        _write_part(cache, rows.slice(i, 1), f"part-{i}.parquet")
    assert parse_cache_compaction.compact(cache, now, max_parts=4) == []
    assert len(parse_cache_compaction.cache_parts(cache)) == 4

    _write_part(cache, rows.slice(7, 1), "part-7-again.parquet")  # the same parse twice
    merged = parse_cache_compaction.compact(cache, now, max_parts=4)
    assert sorted(p.name for p in merged) == [
        "part-5.parquet",
        "part-6.parquet",
        "part-7-again.parquet",
        "part-7.parquet",
    ]
    left = parse_cache_compaction.cache_parts(cache)
    assert len(left) == 2 and big in left  # the largest part is not rewritten
    assert pq.read_table(big).equals(rows.slice(0, 5))
    assert _rows(cache).equals(rows)  # every row once


def _write_part(cache_dir, table: pa.Table, name: str):
    path = cache_dir / name
    with PartWriter(path, PARSED_SCHEMA) as part:
        for batch in table.to_batches():
            part.write(batch)
        part.commit()
    return path


def test_a_compaction_stopped_before_removing_its_parts_loses_and_doubles_nothing(
    nightly, tmp_path, monkeypatch
):
    raw, wh, _, _ = nightly
    wh = shutil.copytree(wh, tmp_path / "wh", symlinks=True)
    install_fake_parser(monkeypatch)
    cache = _cache(wh)
    before_rows = _rows(cache)
    # (the marts are recomputed from the same rows: only the refresh that did it changes)
    recomputed = frozenset({"snapshot_id", "refreshed_at"})
    before = warehouse_state(wh, ignore=recomputed)
    parts = parse_cache_compaction.cache_parts(cache)

    def stop(self, *args, **kwargs):
        raise OSError("stopped before removing the merged parts")

    # the merged part is in place, the parts it holds are all still there
    monkeypatch.setattr(type(parts[0]), "unlink", stop)
    with pytest.raises(OSError):
        parse_cache_compaction.compact(cache, datetime.now(UTC), max_parts=1)
    monkeypatch.undo()
    install_fake_parser(monkeypatch)
    monkeypatch.setattr(parse_cache_compaction, "MAX_PARTS", 2)  # 3 parts now: all are merged
    assert len(parse_cache_compaction.cache_parts(cache)) == len(parts) + 1
    assert _rows(cache).num_rows == 2 * before_rows.num_rows

    # the next refresh reads each report once, and its compaction copies each row once
    outcome = refresh(raw, wh)
    assert outcome.metadata["parsed_reports"]["parsed"] == 0
    assert warehouse_state(wh, ignore=recomputed) == before
    assert outcome.metadata["parsed_reports"]["cache_parts_merged"] == len(parts) + 1
    after_rows = _rows(cache)
    assert after_rows.equals(before_rows)


def test_a_row_in_two_parts_is_always_read_from_the_same_one(nightly, tmp_path):
    """A compaction stopped before removing its parts leaves rows in two parts, with the same
    `parsed_at`: the tidy step takes each from the same part every time, so the fact tables'
    parts are not rewritten (nor dbt's tables rebuilt) by refreshes that find nothing new."""
    from pipelines.core import tidy
    from pipelines.core.paths import WarehouseFiles, WarehouseLayout

    _, wh, _, _ = nightly
    cache = tmp_path / _cache(wh).name
    shutil.copytree(_cache(wh), cache)
    for part in parse_cache_compaction.cache_parts(cache):  # the same rows under later names
        shutil.copy(part, cache / part.name.replace("part-", "part-9"))
    snapshot = WarehouseFiles(tmp_path / "snapshot")
    snapshot.root.mkdir()
    published = WarehouseFiles(WarehouseLayout(wh).current.resolve())
    shutil.copy(published.manifest, snapshot.manifest)
    results = [tidy.build_tidy_tables(snapshot, cache) for _ in range(4)]
    assert [r.rebuilt for r in results] == [True, False, False, False]
    facts = pq.read_table(snapshot.tidy("applications"))
    assert facts.num_rows == pq.read_table(published.tidy("applications")).num_rows
