"""Steps whose inputs did not change are skipped, and every change of input rebuilds the
steps it affects: a skip never leaves a table that differs from a clean rebuild."""

from __future__ import annotations

import os
import shutil

import dagster as dg
import duckdb

from pipelines.core import dbt_build, dbt_project, seals
from pipelines.core.paths import SQL_DIR, TIDY_ASSETS, WarehouseLayout
from pipelines.defs import ingest
from pipelines.defs.dbt import RELATION_NAMES, relation_name, relations
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
#: The one model that reads the raw manifest.
READS_THE_MANIFEST = {"stg_raw_files"}


def rebuilt(outcome) -> dict[str, bool]:
    return {k: v["rebuilt"] for k, v in outcome.metadata.items() if "rebuilt" in v}


#: Tables updated report by report when the parser and the tidy queries did not change.
INCREMENTAL = {
    # the facts
    "applications_all_files",
    "active_disclosure_all_files",
    "review_litigation_all_files",
    # what is computed once per report, from its facts
    "figures_per_report",
    "flags_of_own_figures",
}


def how(outcome) -> dict[str, str]:
    return {k: v["how"] for k, v in outcome.metadata.items() if "how" in v}


def assert_incremental(outcome) -> None:
    assert {k for k, v in how(outcome).items() if v == "incremental"} == INCREMENTAL


#: Built from the repository alone (the code list and the dims read from it): a change of
#: the raw files does not touch them, a change of sql/ does.
FROM_THE_REPOSITORY = {n for n in RELATION_NAMES if n == "code_labels" or n.startswith("dim_")}


#: Defined by their SQL text alone: a build that is not a whole one (no sql/ change, no
#: first build) leaves them as the database copied from the published snapshot holds them.
VIEWS = {
    relation_name(n) for n in relations().values() if n["config"].get("materialized") == "view"
}


def assert_all_rebuilt(outcome, but: set[str] = frozenset(), whole: bool = False) -> None:
    """Every step rebuilt its output: the Python assets, and `dbt build` every model that
    reads a source file (directly or not), the views only in a `whole` build (the first, or
    after sql/ changed, or with a new generation of the fact rows)."""
    flags = rebuilt(outcome)
    assert set(flags) >= {*TIDY_ASSETS, "agencies", *RELATION_NAMES}
    kept = set(but) if whole else {*but, *VIEWS}
    assert {k for k, v in flags.items() if not v} - FROM_THE_REPOSITORY == kept


def clean_state(raw, tmp_path, name: str) -> dict:
    """The warehouse a first refresh of `raw` builds (nothing to skip)."""
    wh = tmp_path / name
    assert_all_rebuilt(refresh(raw, wh), whole=True)
    return warehouse_state(wh, ignore_timestamps=True)


def test_nothing_new_skips_tidy_agencies_and_sql_and_changes_nothing(tmp_path, monkeypatch):
    install_fake_parser(monkeypatch)
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    write_specs(raw, SPECS)
    assert_all_rebuilt(refresh(raw, wh), whole=True)
    state = warehouse_state(wh)
    untouched = warehouse_state(wh, ignore={"mtime_ns", "ctime_ns"})
    manifest = (WarehouseLayout(wh).current / "raw_manifest.parquet").stat()

    second = refresh(raw, wh)
    # nothing rebuilt, dbt not called: the manifest is the one the last refresh wrote
    assert {k for k, v in rebuilt(second).items() if v} == set()
    assert (WarehouseLayout(wh).current / "raw_manifest.parquet").stat().st_ino == manifest.st_ino
    assert second.metadata["mart_agency_year"]["rows"] == 2  # counted from the table
    assert_same_state(warehouse_state(wh), state)

    os.utime(raw / "a.txt", ns=(1, 1))  # touched, same bytes (read again): the tables do not change
    touched = refresh(raw, wh)
    assert {k for k, v in rebuilt(touched).items() if v} == READS_THE_MANIFEST
    assert_same_state(warehouse_state(wh, ignore={"mtime_ns", "ctime_ns"}), untouched)


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
    # a copy gone, its report stays (b.txt holds the same bytes): the fact tables' parts are
    # the same files, and the models that load them are not rebuilt
    facts = {"applications_all_files", "active_disclosure_all_files", "review_litigation_all_files"}
    assert_all_rebuilt(refresh(raw, wh), but=facts)
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
    # (the same files; a new generation of the fact rows makes the views again too)
    assert_all_rebuilt(outcome, but=READS_THE_MANIFEST, whole=True)
    # a report's rows may differ: no update, the fact tables are rebuilt in full
    assert how(outcome) == dict.fromkeys(INCREMENTAL, "full")
    assert query(wh, "SELECT DISTINCT parser_version FROM reports_all_files") == [("99.0",)]
    assert query(wh, "SELECT count(*) FROM applications_all_files") == query(
        wh, "SELECT count(*) FROM read_parquet(?)", [str(wh / "applications.parquet/*.parquet")]
    )


def test_an_edited_sql_file_changes_the_projects_key_and_rebuilds_everything(tmp_path, monkeypatch):
    """Any edit of sql/ (a model, a schema file, a macro, the seed) changes the project's
    key, recorded with each snapshot's build: the next refresh builds the whole project,
    the fact tables in full."""
    copy = tmp_path / "sql"
    shutil.copytree(SQL_DIR, copy, ignore=shutil.ignore_patterns("target"))
    monkeypatch.setattr(dbt_project, "PROJECT_DIR", copy)
    before = dbt_project.project_key()
    for rel in ("models/staging/applications_all_files.sql", "seeds/code_labels.csv"):
        path = copy / rel
        original = path.read_bytes()
        path.write_bytes(original + b"\n")
        assert dbt_project.project_key() != before, rel
        path.write_bytes(original)
    assert dbt_project.project_key() == before
    (copy / "target").mkdir()
    (copy / "target" / "anything").write_text("dbt output is not part of the project")
    assert dbt_project.project_key() == before

    inputs = dbt_build.Inputs("k", {"reports": "r", "agencies": "a"}, "g")
    same = dbt_build.plan(inputs, inputs, set(), set())
    assert (same.nothing, same.everything, same.full_refresh) == (True, False, False)
    edited = dbt_build.plan(inputs, dbt_build.Inputs("k2", inputs.sources, "g"), set(), set())
    assert (edited.everything, edited.full_refresh) == (True, True)
    new_file = dbt_build.plan(
        inputs, dbt_build.Inputs("k", {"reports": "r2", "agencies": "a"}, "g"), set(), set()
    )
    assert (new_file.select, new_file.full_refresh) == (("source:govreports.reports+",), False)
    assert new_file.args()[-2:] == ["--exclude", "config.materialized:view"]
    assert "--exclude" not in edited.args() and "--exclude" not in same.args()
    touched = dbt_build.plan(
        inputs, dbt_build.Inputs("k", {**inputs.sources, "raw_manifest": "m2"}, "g"), set(), set()
    )
    assert (touched.select, touched.nothing) == (("source:govreports.raw_manifest+",), False)
    new_parser = dbt_build.plan(inputs, dbt_build.Inputs("k", inputs.sources, "g2"), set(), set())
    assert new_parser.full_refresh and "source:govreports.applications+" in new_parser.select
    damaged = dbt_build.plan(inputs, inputs, {"reports"}, set())
    assert (damaged.everything, damaged.full_refresh) == (True, True)
    lost_mart = dbt_build.plan(inputs, inputs, set(), {"mart_agency_year"})
    assert lost_mart.select == ("mart_agency_year",)


def test_an_edited_model_is_rebuilt_by_the_next_refresh(tmp_path, monkeypatch):
    """The same end to end: a refresh after sql/ changed (here: the key recorded with the
    published build differs) rebuilds every model, though no raw file changed."""
    install_fake_parser(monkeypatch)
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    write_specs(raw, SPECS)
    refresh(raw, wh)
    published = WarehouseLayout(wh).current.resolve()
    recorded = dbt_build.recorded_inputs(WarehouseLayout(published))
    assert recorded is not None and recorded.project == dbt_project.project_key()
    dbt_build.record(
        WarehouseLayout(published), dbt_build.Inputs("an older sql/", recorded.sources, None)
    )
    seals.seal(published)  # (as if that refresh had written it)
    outcome = refresh(raw, wh)
    assert {k for k, v in rebuilt(outcome).items() if v} >= set(RELATION_NAMES)  # the seed too
    assert how(outcome) == dict.fromkeys(INCREMENTAL, "full")


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


def _new_report_with_extra_cells_fails(tmp_path, monkeypatch, extra_cells: dict) -> str:
    """Build a warehouse, add a report printing `extra_cells` too, refresh: the refresh must
    fail and publish nothing; returns its failures, for the test that failed."""
    from pipelines.runner import run_refresh

    install_fake_parser(monkeypatch)
    raw, wh = tmp_path / "raw", tmp_path / "wh"
    write_specs(raw, SPECS)
    refresh(raw, wh)
    published = WarehouseLayout(wh).current.resolve()
    odd = spec("某县人民政府", 2022, natural=table3(new=1, granted=1))
    write_specs(raw, {"odd.txt": {**odd, "extra_cells": extra_cells}})
    outcome = run_refresh(raw, wh, 1, instance=dg.DagsterInstance.ephemeral(), show_progress=False)
    assert not outcome.success
    assert WarehouseLayout(wh).current.resolve() == published
    return repr(outcome.failures)


def test_a_new_report_with_a_code_not_in_the_code_list_fails_the_refresh(tmp_path, monkeypatch):
    """The fact tables' code tests check the rows a build loads (the older rows were checked
    when they were loaded, against the same code list): an unknown code in a new report still
    fails the build, and nothing is published."""
    failures = _new_report_with_extra_cells_fails(
        tmp_path, monkeypatch, {"result.made_up/total": 1}
    )
    assert "known_codes_applications_all_files_category" in failures


def test_a_new_report_with_a_key_printed_twice_fails_the_refresh(tmp_path, monkeypatch):
    """The fact tables' key test (is_key: grouped first by a hash of the key, then by the
    key itself where a hash is shared) still finds two rows of one report with one key, in
    a build that adds the report to an existing warehouse, and nothing is published."""
    failures = _new_report_with_extra_cells_fails(tmp_path, monkeypatch, {"received.new/total": 1})
    assert "is_key_applications_all_files_report_id__category__applicant_type" in failures
