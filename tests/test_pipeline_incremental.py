"""Incremental behaviour: what a second refresh parses, and what it leaves alone."""

from __future__ import annotations

import os

import pyarrow.parquet as pq

from pipelines.defs import ingest
from tests.pipeline_support import (
    TWO_AGENCIES_WITH_A_COPY,
    assert_same_state,
    install_fake_parser,
    query,
    refresh,
    spec,
    table3,
    warehouse_state,
    write_specs,
)

SPECS = TWO_AGENCIES_WITH_A_COPY


def marts(warehouse):
    return {
        m: pq.read_table(warehouse / "marts" / f"{m}.parquet")
        for m in ("mart_agency_year", "mart_national_year", "mart_province_year")
    }


def test_second_refresh_parses_nothing_and_changes_nothing(tmp_path, monkeypatch):
    fake = install_fake_parser(monkeypatch)
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    write_specs(raw, SPECS)

    first = refresh(raw, wh)
    # two files with the same bytes are parsed once and both listed in `reports`
    assert sorted(fake.calls) == ["a.txt", "b.txt"]
    assert first.metadata["parsed_reports"]["parsed"] == 2
    assert query(wh, "SELECT count(*), count(DISTINCT report_id) FROM reports_all_files") == [
        (3, 2)
    ]
    before = marts(wh)
    state = warehouse_state(wh)

    fake.calls.clear()
    second = refresh(raw, wh)
    assert fake.calls == []
    assert second.metadata["parsed_reports"]["parsed"] == 0
    assert second.metadata["raw_manifest"]["files_new"] == 0
    after = marts(wh)
    for name, table in before.items():
        assert after[name].equals(table), name
    # every table and view of the database and every published Parquet file, row for row
    # not even a timestamp: nothing in the warehouse names the refresh that found nothing
    assert_same_state(warehouse_state(wh), state)


def test_touched_changed_removed_and_new_parser_version(tmp_path, monkeypatch):
    fake = install_fake_parser(monkeypatch)
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    write_specs(raw, SPECS)
    refresh(raw, wh)

    # same bytes, new mtime: hashed again, not parsed again
    os.utime(raw / "a.txt", ns=(1, 1))
    fake.calls.clear()
    refresh(raw, wh)
    assert fake.calls == []

    # new bytes: parsed; a removed file leaves `reports` and stays in the manifest
    write_specs(
        raw, {"a.txt": spec("樟树市鹿江街道办事处", 2023, natural=table3(new=5, granted=5))}
    )
    (raw / "copy" / "b.txt").unlink()
    outcome = refresh(raw, wh)
    assert fake.calls == ["a.txt"]
    assert outcome.metadata["raw_manifest"]["files_changed"] == 1
    assert outcome.metadata["raw_manifest"]["files_removed"] == 1
    assert query(wh, "SELECT source_path FROM reports_all_files ORDER BY 1") == [
        ("a.txt",),
        ("b.txt",),
    ]
    assert query(
        wh, "SELECT path, present, gone_since IS NOT NULL FROM stg_raw_files ORDER BY 1"
    ) == [("a.txt", True, False), ("b.txt", True, False), ("copy/b.txt", False, True)]
    [(gone_since,)] = query(wh, "SELECT gone_since FROM stg_raw_files WHERE NOT present")
    assert gone_since > max(first for (first,) in query(wh, "SELECT first_seen FROM stg_raw_files"))
    refresh(raw, wh)  # still gone: since the same refresh
    assert query(wh, "SELECT gone_since FROM stg_raw_files WHERE NOT present") == [(gone_since,)]
    assert query(
        wh, "SELECT received_new FROM mart_agency_year WHERE agency = '樟树市鹿江街道办事处'"
    ) == [(5,)]

    # a new parser version parses every present file once more, and drops the old cache;
    # its rows replace the old ones: the same figures (this fake parser reads the same ones),
    # every row stamped with the new version, none left from the old one
    # (and the marts, recomputed, say by which refresh: snapshot_id, refreshed_at)
    unversioned = {"parser_version", "snapshot_id", "refreshed_at"}
    state = warehouse_state(wh, ignore=unversioned)
    monkeypatch.setattr(ingest, "PARSER_VERSION", "99.0")
    fake.version = "99.0"
    fake.calls.clear()
    refresh(raw, wh)
    assert sorted(fake.calls) == ["a.txt", "b.txt"]
    [cache] = (wh / "cache" / "parsed").iterdir()
    assert cache.name.startswith("99.0-")
    assert_same_state(warehouse_state(wh, ignore=unversioned), state)
    assert query(wh, "SELECT DISTINCT parser_version FROM reports_all_files") == [("99.0",)]
    assert query(wh, "SELECT count(*), count(DISTINCT source_path) FROM reports_all_files") == [
        (2, 2)
    ]
    assert query(
        wh,
        """SELECT count(*) FROM (SELECT report_id, category, applicant_type FROM applications_all_files
           GROUP BY ALL HAVING count(*) > 1)""",
    ) == [(0,)]


def test_parse_pool_with_the_real_parser(tmp_path):
    """Several worker processes; whatever the parser makes of these bytes, each file has a row."""
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    raw.mkdir()
    for i in range(4):
        (raw / f"junk{i}.txt").write_bytes(f"not a report {i}\n".encode())
    (raw / ".hidden").write_text("skipped")
    outcome = refresh(raw, wh, workers=2)
    assert outcome.metadata["parsed_reports"]["parsed"] == 4
    assert query(wh, "SELECT count(*) FROM reports_all_files WHERE status = 'rejected'") == [(4,)]
    assert query(wh, "SELECT count(*) FROM consistency_flags WHERE check_name = 'not_parsed'") == [
        (4,)
    ]


def test_many_files_are_hashed_in_order_with_read_ahead(tmp_path):
    # more paths than the chunks read ahead: results in the order asked for
    import hashlib

    from pipelines.core import raw_manifest

    full = {}
    for i in range(3 * raw_manifest._HASH_CHUNK + 7):
        path = tmp_path / f"{i:04d}.txt"
        path.write_bytes(f"report {i}".encode())
        full[path.name] = str(path)
    full["gone.txt"] = str(tmp_path / "gone.txt")  # listed by the scan, deleted since
    rels = sorted(full, reverse=True)
    hashed = raw_manifest._hash(rels, full).to_pylist()
    assert [row["path"] for row in hashed] == rels
    for row in hashed:
        if row["path"] == "gone.txt":
            assert row["sha256"] is None
            assert row["error"].startswith("cannot read file: ")
        else:
            expected = hashlib.sha256(f"report {int(row['path'][:4])}".encode()).hexdigest()
            assert (row["sha256"], row["error"]) == (expected, None)


def test_read_ahead_is_only_advice(tmp_path):
    # missing files, a FIFO, a directory and a link are passed over without an error
    from pipelines.core.parse_file import read_and_parse
    from pipelines.core.raw_dir import advise_will_read

    report = tmp_path / "r.txt"
    report.write_bytes("一、总体情况".encode())
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "link.txt"
    link.symlink_to(report)
    advise_will_read([report, tmp_path / "gone.txt", fifo, tmp_path, link])
    sha, _ = read_and_parse(report)
    assert sha is not None


def test_fact_tables_are_written_part_by_part(tmp_path, monkeypatch):
    """Each fact table is a directory with one part per parse-cache part: a refresh that
    parses a new report writes one new part and keeps the others (hard links to the
    published bytes); a part whose reports change (bytes replaced or gone) is rewritten."""
    from pipelines.core.paths import WarehouseLayout

    install_fake_parser(monkeypatch)
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    write_specs(raw, SPECS)
    refresh(raw, wh)

    def parts():
        folder = WarehouseLayout(wh).current.resolve() / "applications.parquet"
        return {p.name: os.stat(p).st_ino for p in folder.glob("part-*.parquet")}

    def reports_in_facts():
        """(agency, 本年新收 总计) of every report in the published fact table's parts."""
        return sorted(
            (r["agency"], r["value"])
            for r in pq.read_table(wh / "applications.parquet").to_pylist()
            if (r["category"], r["applicant_type"]) == ("received.new", "total")
        )

    [(first, inode)] = parts().items()
    assert reports_in_facts() == [("樟树市鹿江街道办事处", 2), ("洛龙区学府街道办事处", 1)]

    write_specs(raw, {"c.txt": spec("九江市柴桑区", 2023, natural=table3(new=3, granted=3))})
    refresh(raw, wh)
    now = parts()
    assert len(now) == 2 and now[first] == inode  # the published part, hard-linked
    assert reports_in_facts() == [
        ("九江市柴桑区", 3),
        ("樟树市鹿江街道办事处", 2),
        ("洛龙区学府街道办事处", 1),
    ]

    # new bytes for a.txt: its old report leaves the first part, which is rewritten under a
    # new name (a part's name ends with the digest of its reports: a name is always the
    # same rows)
    write_specs(
        raw, {"a.txt": spec("樟树市鹿江街道办事处", 2023, natural=table3(new=5, granted=5))}
    )
    refresh(raw, wh)
    after = parts()
    cache_part = first.rsplit("-", 1)[0]  # part-<cache part's stem>-<digest>.parquet
    assert len(after) == 3 and first not in after
    [rewritten] = [name for name in after if name.startswith(f"{cache_part}-")]
    assert after[rewritten] != inode
    assert reports_in_facts() == [
        ("九江市柴桑区", 3),
        ("樟树市鹿江街道办事处", 5),
        ("洛龙区学府街道办事处", 1),
    ]
    assert query(wh, "SELECT count(*) FROM applications_all_files") == [
        (pq.read_table(wh / "applications.parquet").num_rows,)
    ]
