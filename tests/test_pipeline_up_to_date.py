"""A refresh that finds nothing new launches no run (`pipelines.core.up_to_date`), and any
doubt about that launches one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipelines.cli import main
from pipelines.core import code_key, raw_manifest, seals
from pipelines.core.paths import WarehouseLayout
from pipelines.core.up_to_date import published_is_current
from reportgen.refresh_subprocess import GOVREPORTS, cli_env, dagster_home
from tests.pipeline_support import SHIPPED_SEEDS, query, refresh

SEEDS = sorted(SHIPPED_SEEDS.glob("*.txt"))[:2]
#: A page image: with OCR off (as in the tests), `rejected` for want of OCR.
SCAN = Path(__file__).parent / "fixtures" / "ocr" / "hongze_2024_p3.png"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A raw dir of two real reports and a scan, and the warehouse a refresh built of it."""
    root = tmp_path_factory.mktemp("up_to_date")
    raw = root / "raw"
    raw.mkdir()
    for seed in SEEDS:
        shutil.copyfile(seed, raw / seed.name)
    shutil.copyfile(SCAN, raw / "scan.png")
    refresh(raw, root / "wh")
    return raw, root / "wh"


def copy_of(built, tmp_path):
    """The same raw dir (a copy or a link of a file would be news: new inode, new ctime) and
    a copy of the warehouse."""
    raw, wh = built
    return raw, shutil.copytree(wh, tmp_path / "wh", symlinks=True)


def test_the_published_warehouse_is_current_when_nothing_changed(built):
    raw, wh = built
    current = published_is_current(raw, WarehouseLayout(wh))
    assert current is not None
    assert current.snapshot == WarehouseLayout(wh).current.resolve()
    assert (current.files_present, current.files_unreadable) == (3, 0)
    [(rows,)] = query(wh, "SELECT count(*) FROM mart_agency_year")
    assert current.mart_rows["mart_agency_year"] == rows == 2


def test_a_new_touched_or_removed_file_is_news(tmp_path):
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    raw.mkdir()
    for seed in SEEDS:
        shutil.copyfile(seed, raw / seed.name)
    refresh(raw, wh)
    layout = WarehouseLayout(wh)
    assert published_is_current(raw, layout) is not None
    (raw / "new.txt").write_text("not a report")
    assert published_is_current(raw, layout) is None
    (raw / "new.txt").unlink()
    assert published_is_current(raw, layout) is not None
    os.utime(raw / SEEDS[0].name, ns=(1, 1))  # same bytes, touched: the manifest would differ
    assert published_is_current(raw, layout) is None
    (raw / SEEDS[0].name).unlink()
    assert published_is_current(raw, layout) is None


def test_other_code_damaged_files_or_parse_skips_are_doubts(built, tmp_path, monkeypatch):
    raw, wh = copy_of(built, tmp_path)
    layout = WarehouseLayout(wh)
    snapshot = layout.current.resolve()
    monkeypatch.setattr(code_key, "code_key", lambda: "other code")
    assert published_is_current(raw, layout) is None
    monkeypatch.undo()
    assert published_is_current(raw, layout) is not None

    mart = snapshot / "marts" / "mart_national_year.parquet"
    original = mart.read_bytes()
    mart.unlink()  # (a hard link shared with the fixture's warehouse: never written through)
    mart.write_bytes(original[:100] + bytes([original[100] ^ 1]) + original[101:])
    assert published_is_current(raw, layout) is None
    mart.write_bytes(original)
    assert published_is_current(raw, layout) is not None
    (snapshot / "marts" / "scratch.parquet").write_bytes(original)  # not sealed
    assert published_is_current(raw, layout) is None
    (snapshot / "marts" / "scratch.parquet").unlink()

    # a file the last refresh could not hand to the parser is tried again (sealed as it is)
    skips = snapshot / "parse_skipped.parquet"
    table = pq.read_table(skips)
    skips.unlink()
    pq.write_table(
        pa.table({"path": ["big.txt"], "reason": ["file too large"]}, table.schema), skips
    )
    seals.seal(snapshot)
    assert published_is_current(raw, layout) is None
    skips.unlink()
    pq.write_table(table, skips)
    seals.seal(snapshot)
    assert published_is_current(raw, layout) is not None

    # a name readers open that is no longer the published link: a run makes it again
    (wh / "warehouse.duckdb").unlink()
    assert published_is_current(raw, layout) is None


def test_a_snapshot_built_while_the_code_changed_keeps_no_key(tmp_path):
    code_key.record(tmp_path, "the code at the run's start")
    assert not code_key.forget_unless_current(tmp_path)
    assert code_key.recorded(tmp_path) is None
    code_key.record(tmp_path, code_key.code_key())
    assert code_key.forget_unless_current(tmp_path)
    assert code_key.recorded(tmp_path) == code_key.code_key()


def test_a_manifest_written_with_last_seen_reads_as_gone_since(tmp_path):
    then = datetime(2026, 1, 2, tzinfo=UTC)
    schema = raw_manifest.MANIFEST_SCHEMA
    old = pa.table(
        {
            **{f.name: pa.nulls(2, f.type) for f in schema if f.name != "gone_since"},
            "path": ["here.txt", "gone.txt"],
            "present": [True, False],
            "last_seen": pa.array([then, then], pa.timestamp("us", tz="UTC")),
        }
    )
    pq.write_table(old, tmp_path / "raw_manifest.parquet")
    table = raw_manifest.read_manifest(tmp_path / "raw_manifest.parquet")
    assert table.schema == schema
    assert table.column("gone_since").to_pylist() == [None, then]


def test_the_cli_launches_no_run_and_never_loads_dagster(built, tmp_path):
    raw, wh = copy_of(built, tmp_path)
    published = WarehouseLayout(wh).current.resolve()
    code = (
        "import sys; from pipelines.cli import main; rc = main(sys.argv[1:]); "
        "assert 'dagster' not in sys.modules, 'dagster imported'; sys.exit(rc)"
    )
    args = ["refresh", "--raw-dir", str(raw), "--warehouse-dir", str(wh)]
    # (OCR off as in the refresh that built it: else the scan would be read again now)
    env = {**cli_env(dagster_home(tmp_path / "home")), "GOVREPORTS_OCR": "off"}
    done = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert f"nothing new since snapshot {published.name}" in done.stderr
    assert "files     3 seen · 0 new · 0 changed · 0 removed · 0 not read" in done.stdout
    assert "mart_agency_year (2 rows)" in done.stdout
    assert WarehouseLayout(wh).current.resolve() == published

    forced = subprocess.run(
        [str(GOVREPORTS), *args, "--force"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert forced.returncode == 0, forced.stderr
    assert "nothing new" not in forced.stderr and "sql_models ok" in forced.stderr
    assert WarehouseLayout(wh).current.resolve() != published


def test_the_run_takes_the_checks_scan_and_only_that_one(tmp_path, monkeypatch):
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    raw.mkdir()
    shutil.copyfile(SEEDS[0], raw / SEEDS[0].name)
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home(tmp_path / "home")))
    args = ["refresh", "--raw-dir", str(raw), "--warehouse-dir", str(wh), "--workers", "1"]
    assert main(args) == 0
    shutil.copyfile(SEEDS[1], raw / SEEDS[1].name)
    scans = []
    real_scan = raw_manifest.scan
    monkeypatch.setattr(raw_manifest, "scan", lambda *a: scans.append(a) or real_scan(*a))
    assert main(args) == 0
    assert len(scans) == 1  # the check's: the run took it
    assert query(wh, "SELECT count(*) FROM stg_raw_files WHERE present") == [(2,)]
    assert query(wh, "SELECT count(*) FROM reports_all_files") == [(2,)]

    # taken once, for the same raw dir and previous manifest only, and only while recent
    previous = raw_manifest.read_manifest(WarehouseLayout(wh).manifest)
    scanned = real_scan(raw, previous, datetime.now(UTC))
    raw_manifest.remember_scan(raw, previous, scanned)
    assert raw_manifest.take_scan(raw, previous) == scanned
    assert raw_manifest.take_scan(raw, previous) is None
    raw_manifest.remember_scan(raw, previous, scanned)
    assert raw_manifest.take_scan(tmp_path, previous) is None
    raw_manifest.remember_scan(raw, previous, scanned)
    assert raw_manifest.take_scan(raw, previous.slice(1)) is None
    raw_manifest.remember_scan(raw, previous, scanned)
    monkeypatch.setattr(raw_manifest, "HANDED_SCAN_MAX_AGE_S", -1.0)
    assert raw_manifest.take_scan(raw, previous) is None


def test_a_scan_refused_while_ocr_was_off_waits_and_is_read_once_ocr_can_run(
    built, tmp_path, monkeypatch
):
    """Refused for want of OCR, a report stays so while OCR cannot run (nothing to retry:
    the published warehouse is current); once OCR can run, the up-to-date check says no
    and the parse takes the file again."""
    from parsers import ocr_text
    from pipelines.core import parse_step
    from pipelines.core.tables import parse_cache_key
    from pipelines.defs.ingest import PARSER_VERSION

    raw, wh = copy_of(built, tmp_path)
    [(status, reason)] = query(
        wh, "SELECT status, status_reason FROM reports_all_files WHERE source_path = 'scan.png'"
    )
    assert status == "rejected" and reason.endswith("OCR turned off (GOVREPORTS_OCR=off)")
    layout = WarehouseLayout(wh)
    cache = layout.parse_cache(parse_cache_key(PARSER_VERSION))
    assert published_is_current(raw, layout) is not None
    assert parse_step.pending(layout.manifest, cache) == {}

    monkeypatch.setattr(ocr_text, "ocr_unavailable", lambda: None)  # OCR can run now
    assert published_is_current(raw, layout) is None
    assert list(parse_step.pending(layout.manifest, cache).values()) == [["scan.png"]]
