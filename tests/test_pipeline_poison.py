"""No single file, file name or damaged warehouse file may stop, poison or destroy the
warehouse: one odd input gets its `reports` row with a reason and the refresh completes;
a rewritten file is read again; damaged outputs are rebuilt, never republished."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import dagster as dg
import pytest

from parsers import parse_report
from pipelines.core import parse_step, raw_manifest
from pipelines.core.paths import WarehouseLayout
from pipelines.core.raw_dir import fs_name, path_key
from pipelines.defs.automation import raw_dir_fingerprint
from pipelines.defs.resources import RawDir
from reportgen.refresh_subprocess import GOVREPORTS, cli_env, dagster_home
from tests.pipeline_support import (
    SHIPPED_SEEDS,
    assert_same_state,
    install_fake_parser,
    query,
    query_dicts,
    refresh,
    spec,
    table3,
    warehouse_state,
    write_specs,
)

SEED = SHIPPED_SEEDS / "001_389509ebf14147a7.txt"
HUGE = ("9223372036854775808", "1,000,000,000,000,000,000,000", "增加99999999999999999999")


def with_figure(text: str, figure: str) -> str:
    """The seed with 本年新收 (natural persons) and 行政处罚 printed as `figure`."""
    out = text.replace(
        "本年新收政府信息公开申请数量 |\n1 |", f"本年新收政府信息公开申请数量 |\n{figure} |", 1
    )
    out = out.replace("行政处罚 |\n0 |", f"行政处罚 |\n{figure} |", 1)
    assert out.count(figure) == 2
    return out


# --- poison pills --------------------------------------------------------------------


@pytest.mark.parametrize("figure", HUGE)
def test_a_figure_beyond_the_form_is_an_unreadable_cell_not_a_number(figure):
    report = parse_report(with_figure(SEED.read_text(encoding="utf-8"), figure).encode(), "x")
    assert report.status == "partial"
    assert f"table 3 received.new/natural_person: '{figure}'" in report.status_reason
    assert f"table 2 administrative_penalty/decisions: '{figure}'" in report.status_reason
    cells = {(f.category, f.applicant_type): f.value for f in report.applications}
    assert ("received.new", "natural_person") not in cells
    assert cells[("received.new", "total")] == 1  # the rest of the table is read as printed
    assert all(abs(f.value) <= 10**12 for f in report.applications if f.value is not None)


def test_a_huge_figure_leaves_the_other_reports_of_its_batch_loaded(tmp_path):
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    raw.mkdir()
    for k, figure in enumerate(HUGE):
        (raw / f"huge-{k}.txt").write_text(with_figure(SEED.read_text("utf-8"), figure), "utf-8")
    (raw / "good.txt").write_bytes(SEED.read_bytes())
    refresh(raw, wh, workers=2)
    rows = dict(query(wh, "SELECT source_path, status FROM reports_all_files"))
    assert rows == {"good.txt": "parsed", **{f"huge-{k}.txt": "partial" for k in range(3)}}
    assert query(wh, "SELECT max(abs(value)) FROM applications_all_files") == [(1,)]


def test_a_record_arrow_cannot_store_is_rejected_alone(monkeypatch):
    """Belt and braces behind the parser's bound: a value no column can hold rejects its own
    report, not the chunk."""
    good = parse_report(SEED.read_bytes(), "good.txt")
    bad = parse_report(SEED.read_bytes(), "bad.txt")
    bad.narrative = {"received_applications": 2**70}
    batch = parse_step._batch_of([("a" * 64, good), ("b" * 64, bad)], parsing_now())
    rows = batch.to_pylist()
    assert [r["status"] for r in rows] == ["parsed", "rejected"]
    assert rows[1]["status_reason"].startswith("parser error: its record cannot be stored")
    assert rows[1]["source_path"] == "bad.txt"


def parsing_now():
    from datetime import UTC, datetime

    return datetime.now(UTC)


GBK_NAME = "2023年报告.txt".encode("gbk")


def test_a_file_name_that_is_not_utf8_is_read_and_kept_losslessly(tmp_path):
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    (raw / "子目录").mkdir(parents=True)
    odd = os.path.join(os.fsencode(raw / "子目录"), GBK_NAME)
    with open(odd, "wb") as fh:
        fh.write(SEED.read_bytes())
    (raw / "a\\b.txt").write_bytes(b"")  # a backslash in a name: written doubled
    # the sensor reads the raw dir too: it must not raise on the name
    assert raw_dir_fingerprint(RawDir(path=str(raw)))

    refresh(raw, wh)
    rows = {r["source_path"]: r for r in query_dicts(wh, "SELECT * FROM reports_all_files")}
    key = "子目录/2023\\xc4\\xea\\xb1\\xa8\\xb8\\xe6.txt"
    assert set(rows) == {key, "a\\\\b.txt"}
    assert rows[key]["status"] == "parsed"
    assert "as GB18030 it reads 子目录/2023年报告.txt" in " ".join(rows[key]["warnings"])
    assert os.fsencode(fs_name(key)) == "子目录".encode() + b"/" + GBK_NAME  # lossless
    assert rows["a\\\\b.txt"]["status_reason"] == "empty file"
    assert query(wh, "SELECT count(*) FROM applications_all_files") != [(0,)]
    assert refresh(raw, wh).metadata["parsed_reports"]["parsed"] == 0  # nothing new


@pytest.mark.parametrize(
    "name",
    [b"plain.txt", "报告.txt".encode(), GBK_NAME, b"\\x41", b"a\\b\xff", b"\xe6\x8a\xa5/\xff"],
)
def test_path_keys_round_trip(name):
    key = path_key(os.fsdecode(name))
    key.encode("utf-8")  # storable text
    assert os.fsencode(fs_name(key)) == name


# --- read again when rewritten --------------------------------------------------------


def rewrite_keeping_size_and_mtime(path: Path, data: bytes) -> None:
    st = path.stat()
    assert len(data) == st.st_size
    path.write_bytes(data)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_a_file_rewritten_with_the_same_size_and_mtime_is_read_again(tmp_path, monkeypatch):
    install_fake_parser(monkeypatch)
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    write_specs(raw, {"a.txt": spec("某县人民政府", 2023, natural=table3(new=2, granted=2))})
    refresh(raw, wh)
    before = (raw / "a.txt").read_bytes()
    rewrite_keeping_size_and_mtime(raw / "a.txt", before.replace(b"2023", b"2022"))
    outcome = refresh(raw, wh)
    assert outcome.metadata["raw_manifest"]["files_changed"] == 1
    assert query(wh, "SELECT year FROM reports_all_files") == [(2022,)]


def test_a_file_rewritten_between_the_scan_and_the_parse_is_parsed_next_time(tmp_path, monkeypatch):
    install_fake_parser(monkeypatch)
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    write_specs(raw, {"a.txt": spec("某县人民政府", 2023, natural=table3(new=2, granted=2))})
    real_parse_all = parse_step.parse_all
    path = raw / "a.txt"
    original = path.read_bytes()

    def parse_all(*args):
        rewrite_keeping_size_and_mtime(path, original.replace(b"2023", b"2021"))
        return real_parse_all(*args)

    monkeypatch.setattr(parse_step, "parse_all", parse_all)
    refresh(raw, wh)
    assert query(wh, "SELECT status_reason FROM reports_all_files") == [
        (parse_step.CHANGED_WHILE_READ,)
    ]
    monkeypatch.setattr(parse_step, "parse_all", real_parse_all)
    refresh(raw, wh)
    assert query(wh, "SELECT status, year FROM reports_all_files") == [("parsed", 2021)]


def test_each_file_is_read_again_by_the_sweep(tmp_path, monkeypatch):
    """The slow sweep: bytes changed under the file system (no stat field moves) are found."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for k in range(60):
        (raw / f"{k}.txt").write_text(f"report {k}")
    from datetime import UTC, datetime, timedelta

    day = datetime(2026, 1, 1, tzinfo=UTC)
    table, _ = raw_manifest.scan(raw, raw_manifest.MANIFEST_SCHEMA.empty_table(), day)
    hashed: list[str] = []
    real = raw_manifest._hash

    def spy(rels, full):
        hashed.extend(rels)
        return real(rels, full)

    monkeypatch.setattr(raw_manifest, "_hash", spy)
    for k in range(raw_manifest.REHASH_SLICES):
        table, _ = raw_manifest.scan(raw, table, day + timedelta(days=k + 1))
    assert sorted(hashed) == sorted(f"{k}.txt" for k in range(60))  # each once a cycle


# --- damaged outputs are rebuilt, never republished ------------------------------------


def damage(path: Path, how: str) -> None:
    os.chmod(path, path.stat().st_mode | 0o200)  # a published database is read-only
    data = bytearray(path.read_bytes())
    if how == "truncate":
        os.truncate(path, len(data) // 2)
    else:  # bytes overwritten in the middle, same size (the mtime moves, the size does not)
        middle = len(data) // 2
        data[middle : middle + 64] = bytes(b ^ 0xFF for b in data[middle : middle + 64])
        with open(path, "r+b") as fh:  # in place: a hard-linked copy sees it too
            fh.write(bytes(data))


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    for seed in SHIPPED_SEEDS.glob("*.txt"):
        (raw / seed.name).write_bytes(seed.read_bytes())
    wh = tmp_path_factory.mktemp("clean")
    refresh(raw, wh)
    return raw, warehouse_state(wh, ignore_timestamps=True)


#: Damage of every kind to every kind of published file: a truncated mart, bytes overwritten
#: inside a tidy Parquet file or a mart, a damaged block in warehouse.duckdb, a damaged
#: manifest and agencies file. All at once: each is found and named on its own.
DAMAGE = {
    "marts/mart_agency_year.parquet": "truncate",
    "marts/mart_province_year.parquet": "overwrite",
    "applications.parquet/": "overwrite",  # (its one part: a directory of parts)
    "reports.parquet": "truncate",
    "warehouse.duckdb": "overwrite",
    "raw_manifest.parquet": "overwrite",
    "agencies.parquet": "truncate",
}


def test_damaged_outputs_are_rebuilt_not_republished(clean, tmp_path):
    raw, expected = clean
    wh = tmp_path / "wh"
    refresh(raw, wh)
    snapshot = WarehouseLayout(wh).current.resolve()
    targets = []
    for target, how in DAMAGE.items():
        if target.endswith("/"):
            [part] = (snapshot / target).glob("part-*.parquet")
            target = str(part.relative_to(snapshot))
        damage(snapshot / target, how)
        targets.append(target)
    outcome = refresh(raw, wh)
    repaired = outcome.metadata["raw_manifest"]["damaged_rebuilt"]
    for target in targets:
        assert f"{target}: damaged" in repaired, target
    assert_same_state(warehouse_state(wh, ignore_timestamps=True), expected)
    # and the next refresh has nothing left to repair
    assert refresh(raw, wh).metadata["raw_manifest"]["damaged_rebuilt"] == ""


def test_one_damaged_mart_is_named_and_rebuilt_alone(clean, tmp_path):
    raw, expected = clean
    wh = tmp_path / "wh"
    refresh(raw, wh)
    damage(WarehouseLayout(wh).current.resolve() / "marts/mart_agency_year.parquet", "overwrite")
    outcome = refresh(raw, wh)
    assert outcome.metadata["raw_manifest"]["damaged_rebuilt"] == (
        "marts/mart_agency_year.parquet: damaged (its bytes differ from the sealed ones)"
    )
    assert outcome.metadata["mart_agency_year"]["rebuilt"] is True
    assert outcome.metadata["consistency_flags"]["rebuilt"] is False  # the rest is kept
    assert_same_state(warehouse_state(wh, ignore_timestamps=True), expected)


def test_a_damaged_parse_cache_part_is_parsed_again(clean, tmp_path):
    raw, expected = clean
    wh = tmp_path / "wh"
    refresh(raw, wh)
    [part] = (wh / "cache" / "parsed").glob("*/part-*.parquet")
    damage(part, "overwrite")
    outcome = refresh(raw, wh)
    assert outcome.metadata["parsed_reports"]["parsed"] == len(list(raw.iterdir()))
    assert part.name in outcome.metadata["parsed_reports"]["damaged_rebuilt"]
    assert_same_state(warehouse_state(wh, ignore_timestamps=True), expected)


# --- publishing needs a whole run -------------------------------------------------------


def test_a_subset_run_does_not_publish_a_mix(clean, tmp_path):
    from pipelines.definitions import defs
    from pipelines.runner import run_config

    raw, _ = clean
    wh = tmp_path / "wh"
    refresh(raw, wh)
    published = WarehouseLayout(wh).current.resolve()
    (raw / "new.txt").write_bytes(SEED.read_bytes() + b"\n")
    job = defs().resolve_implicit_global_asset_job_def()
    selection = [
        dg.AssetKey(k)
        for k in ("raw_manifest", "parsed_reports", "tidy_reports", "tidy_applications")
        + ("tidy_active_disclosure", "tidy_review_litigation", "published_warehouse")
    ]
    config = run_config(raw, wh, 1, 16)
    del config["loggers"]
    result = job.execute_in_process(
        run_config=config,
        instance=dg.DagsterInstance.ephemeral(),
        asset_selection=selection,
        raise_on_error=False,
    )
    assert not result.success
    [failure] = [e for e in result.all_events if e.is_step_failure]
    assert "publishes only a warehouse this run built whole" in str(
        failure.step_failure_data.error.message
    )
    assert WarehouseLayout(wh).current.resolve() == published


# --- workers die with the refresh ------------------------------------------------------


def test_pool_workers_die_when_the_refresh_is_killed(tmp_path):
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    raw.mkdir()
    for k in range(4):
        (raw / f"{k}.txt").write_bytes(SEED.read_bytes() + b"\n" * k)
    args = [str(GOVREPORTS), "refresh", "--raw-dir", str(raw), "--warehouse-dir", str(wh)]
    env = cli_env(dagster_home(tmp_path / "home"), "pause@parse:chunk")
    proc = subprocess.Popen([*args, "--workers", "2"], env=env, stderr=subprocess.PIPE, text=True)
    try:
        workers = set()
        deadline = time.monotonic() + 120
        while len(workers) < 2 and time.monotonic() < deadline:
            line = proc.stderr.readline()
            if "paused at parse:chunk (pid " in line:
                workers.add(int(line.rsplit("pid ", 1)[1].rstrip(")\n")))
        assert len(workers) == 2 and proc.pid not in workers
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 15
        while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(alive(pid) for pid in workers)
    finally:
        proc.kill()
        for pid in workers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def test_a_warehouse_dir_duckdb_cannot_write_is_refused_in_words(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_bytes(SEED.read_bytes())
    wh = tmp_path / "what?now" / "wh"
    proc = subprocess.run(
        [str(GOVREPORTS), "refresh", "--raw-dir", str(raw), "--warehouse-dir", str(wh)],
        env=cli_env(dagster_home(tmp_path / "home")),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines() == [
        f"govreports: the warehouse dir {wh} has a '?' in its path, which DuckDB reads as the "
        "start of connection options (its database cannot be written there); choose a "
        "warehouse dir without '?'"
    ]
    assert not wh.exists()
