"""Steps whose inputs did not change are skipped, and every change of input rebuilds the
steps it affects: a skip never leaves a table that differs from a clean rebuild."""

from __future__ import annotations

import dataclasses
import os
import shutil

import duckdb
from pipelines.defs.sql_models import BY_NAME, MODELS, UPSTREAM
from pipelines.sqlmodels import input_fingerprint, is_current

from pipelines import seals
from pipelines.defs import ingest
from pipelines.paths import TIDY_ASSETS, WarehouseLayout
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
#: The one model that reads the raw manifest, whose `last_seen` moves every run.
EVERY_RUN = {"stg_raw_files"}
BOOKKEEPING = frozenset({"last_seen"})


def rebuilt(outcome) -> dict[str, bool]:
    return {k: v["rebuilt"] for k, v in outcome.metadata.items() if "rebuilt" in v}


#: Tables updated report by report when the parser and the tidy queries did not change.
INCREMENTAL = {
    "applications_all_files",
    "active_disclosure_all_files",
    "review_litigation_all_files",
}


def how(outcome) -> dict[str, str]:
    return {k: v["how"] for k, v in outcome.metadata.items() if "how" in v}


def assert_incremental(outcome) -> None:
    assert {k for k, v in how(outcome).items() if v == "incremental"} == INCREMENTAL


#: Models built from the repository alone (the code list and the dims read from it): a
#: change of the raw files does not touch them.
FROM_THE_REPOSITORY = {m.name for m in MODELS if m.is_seed or m.name.startswith("dim_")}


def assert_all_rebuilt(outcome, but: set[str] = frozenset()) -> None:
    flags = rebuilt(outcome)
    assert set(flags) >= {*TIDY_ASSETS, "agencies", *(m.name for m in MODELS)}
    assert {k for k, v in flags.items() if not v} - FROM_THE_REPOSITORY == set(but)


def clean_state(raw, tmp_path, name: str) -> dict:
    """The warehouse a first refresh of `raw` builds (nothing to skip)."""
    wh = tmp_path / name
    assert_all_rebuilt(refresh(raw, wh))
    return warehouse_state(wh, ignore_timestamps=True)


def test_nothing_new_skips_tidy_agencies_and_sql_and_changes_nothing(tmp_path, monkeypatch):
    install_fake_parser(monkeypatch)
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    write_specs(raw, SPECS)
    assert_all_rebuilt(refresh(raw, wh))
    state = warehouse_state(wh, ignore=BOOKKEEPING)
    untouched = warehouse_state(wh, ignore=BOOKKEEPING | {"mtime_ns", "ctime_ns"})

    second = refresh(raw, wh)
    assert {k for k, v in rebuilt(second).items() if v} == EVERY_RUN
    assert second.metadata["mart_agency_year"]["rows"] == 2  # counted from the table
    assert_same_state(warehouse_state(wh, ignore=BOOKKEEPING), state)

    os.utime(raw / "a.txt", ns=(1, 1))  # touched, same bytes (read again): the tables do not change
    touched = refresh(raw, wh)
    assert {k for k, v in rebuilt(touched).items() if v} == EVERY_RUN
    assert_same_state(warehouse_state(wh, ignore=BOOKKEEPING | {"mtime_ns", "ctime_ns"}), untouched)


def test_modified_new_and_deleted_files_rebuild_and_equal_a_clean_run(tmp_path, monkeypatch):
    install_fake_parser(monkeypatch)
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    write_specs(raw, SPECS)
    refresh(raw, wh)

    write_specs(
        raw, {"a.txt": spec("樟树市鹿江街道办事处", 2023, natural=table3(new=5, granted=5))}
    )
    modified = refresh(raw, wh)
    assert_all_rebuilt(modified)
    assert_incremental(modified)
    assert query(wh, "SELECT received_new FROM mart_agency_year WHERE year = 2023 ORDER BY 1") == [
        (1,),
        (5,),
    ]
    assert_same_state(warehouse_state(wh, ignore_timestamps=True), clean_state(raw, tmp_path, "c1"))

    write_specs(raw, {"c.txt": spec("某县人民政府", 2022, natural=table3(new=7, granted=7))})
    added = refresh(raw, wh)
    assert_all_rebuilt(added)
    assert_incremental(added)
    assert_same_state(warehouse_state(wh, ignore_timestamps=True), clean_state(raw, tmp_path, "c2"))

    (raw / "copy" / "b.txt").unlink()
    assert_all_rebuilt(refresh(raw, wh))
    assert query(wh, "SELECT count(*) FROM reports_all_files") == [(3,)]
    # the manifest remembers the deleted file (present = false); a clean run never saw it
    history = {"duckdb:stg_raw_files", "parquet:raw_manifest.parquet"}
    actual, expected = warehouse_state(wh, ignore_timestamps=True), clean_state(raw, tmp_path, "c3")
    assert_same_state(
        {k: v for k, v in actual.items() if k not in history},
        {k: v for k, v in expected.items() if k not in history},
    )


def test_a_new_parser_version_rebuilds_everything(tmp_path, monkeypatch):
    fake = install_fake_parser(monkeypatch)
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    write_specs(raw, SPECS)
    refresh(raw, wh)
    monkeypatch.setattr(ingest, "PARSER_VERSION", "99.0")
    fake.version = "99.0"
    outcome = refresh(raw, wh)
    assert outcome.metadata["parsed_reports"]["parsed"] == 2
    assert_all_rebuilt(outcome)
    # a report's rows may differ: no update (the code list and its dims do not depend on it)
    assert {v for k, v in how(outcome).items() if k not in FROM_THE_REPOSITORY} == {"full"}
    assert query(wh, "SELECT DISTINCT parser_version FROM reports_all_files") == [("99.0",)]
    assert query(wh, "SELECT count(*) FROM applications_all_files") == query(
        wh, "SELECT count(*) FROM read_parquet(?)", [str(wh / "applications.parquet")]
    )


def test_an_edited_sql_file_rebuilds_that_model_and_the_ones_that_read_it(tmp_path, monkeypatch):
    install_fake_parser(monkeypatch)
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    write_specs(raw, SPECS)
    refresh(raw, wh)
    published = WarehouseLayout(wh).current.resolve()
    copy = tmp_path / "copy"
    shutil.copytree(published, copy)
    files = WarehouseLayout(copy)

    edited = dataclasses.replace(
        BY_NAME["applications_all_files"],
        text=BY_NAME["applications_all_files"].text + "\n-- edited",
    )
    models = {**BY_NAME, edited.name: edited}
    con = duckdb.connect(str(files.duckdb), read_only=True)
    try:
        changed = set()
        for model in MODELS:
            before = input_fingerprint(model, BY_NAME, UPSTREAM, files)
            after = input_fingerprint(models[model.name], models, UPSTREAM, files)
            if model.name not in EVERY_RUN:
                assert is_current(con, model, files, before), model.name
            if before != after:
                changed.add(model.name)
                assert not is_current(con, models[model.name], files, after)
    finally:
        con.close()
    assert {
        "applications_all_files",
        "stg_cells",
        "consistency_flags",
        "mart_agency_year",
    } <= changed
    assert "reports_all_files" not in changed and "stg_agencies" not in changed


def test_an_update_that_does_not_add_up_falls_back_to_a_full_rebuild(tmp_path, monkeypatch):
    install_fake_parser(monkeypatch)
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    write_specs(raw, SPECS)
    refresh(raw, wh)
    # a stray row of a report that stays: deleting and inserting by report_id cannot see it
    published = WarehouseLayout(wh).current / "warehouse.duckdb"
    os.chmod(published, 0o644)  # published read-only: this edit takes the owner's will
    con = duckdb.connect(str(published))
    try:
        con.execute(
            "INSERT INTO applications_all_files SELECT * FROM applications_all_files LIMIT 1"
        )
        # an analyst's scratch work, and a model since renamed: no sql/ file makes them
        con.execute("CREATE TABLE scratch AS SELECT 1 AS x")
        con.execute("CREATE SCHEMA mine")
        con.execute("CREATE VIEW mine.v AS SELECT 1 AS x")
        con.execute("CREATE TABLE stg_applications AS SELECT * FROM applications_all_files")
    finally:
        con.close()
    # sealed again, as if the refresh had written it (an unsealed edit is not reused at all)
    seals.seal(WarehouseLayout(wh).current.resolve())

    write_specs(raw, {"c.txt": spec("某县人民政府", 2022, natural=table3(new=7, granted=7))})
    outcome = refresh(raw, wh)
    assert how(outcome)["applications_all_files"] == "full"
    assert how(outcome)["active_disclosure_all_files"] == "incremental"
    # ... are dropped before publishing, never carried on (the state equals a clean run's)
    assert set(outcome.metadata["published_warehouse"]["dropped"].split(", ")) == {
        "scratch",
        "stg_applications",
        "mine.v",
        "schema mine",
    }
    assert_same_state(warehouse_state(wh, ignore_timestamps=True), clean_state(raw, tmp_path, "c"))
