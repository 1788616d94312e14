"""The code location loads (what `dg check defs` checks) and follows the project's rules."""

from __future__ import annotations

import re

import dagster as dg

from pipelines.core.paths import SQL_DIR
from pipelines.definitions import defs
from pipelines.defs.dbt import MANIFEST
from pipelines.executors import DUCKDB_TAG, ONE_DUCKDB_STEP, executor_kind, refresh_executor

MODELS = SQL_DIR / "models"


def test_definitions_load_and_validate():
    loaded = defs()
    dg.Definitions.validate_loadable(loaded)
    job = loaded.resolve_job_def("refresh")
    # the executor is chosen per run; without a choice, in-process (as before shards)
    assert job.executor_def is refresh_executor
    assert refresh_executor.config_schema.as_field().default_value == {"in_process": {}}
    assert executor_kind({}) == "in_process"
    assert executor_kind({"execution": {"config": {"dask": {}}}}) == "dask"
    assert loaded.resolve_schedule_def("nightly_refresh").job_name == "refresh"
    assert loaded.resolve_sensor_def("raw_dir_sensor").job_name == "refresh"


def test_steps_that_open_duckdb_run_one_at_a_time_on_any_executor():
    """Every step that opens the snapshot's DuckDB database carries the tag that the
    multiprocess and Dask executors limit to one at a time (DuckDB: one writing process);
    the parse shards do not (they are what the executors spread)."""
    from dagster._core.execution.api import create_execution_plan

    plan = create_execution_plan(defs().resolve_job_def("refresh"))
    tagged = {s.key for s in plan.get_all_steps_in_topo_order() if s.tags.get(DUCKDB_TAG)}
    assert {"sql_models", "published_warehouse"} == tagged  # (the dbt models: one step)
    assert ONE_DUCKDB_STEP == [{"key": DUCKDB_TAG, "value": "open", "limit": 1}]
    shard_steps = [s for s in plan.step_keys_to_execute if "parse_shard" in s]
    assert shard_steps == ["parsed_reports.parse_shard[?]"]  # a dynamic output's steps


def test_one_asset_per_dbt_model_and_seed_with_exact_lineage():
    """Every sql/models/<folder>/…/<name>.sql and the seed are assets of their folder, with
    the dependencies dbt reads from ref() and source() (no word in a string or a CTE's
    name makes an edge)."""
    graph = defs().resolve_asset_graph()
    files = sorted(MODELS.rglob("*.sql"))
    assert len(files) > 40
    for path in files:
        node = graph.get(dg.AssetKey(path.stem))
        assert node.group_name == path.relative_to(MODELS).parts[0]
        assert node.code_version  # dbt's: changes with the file
    assert graph.get(dg.AssetKey("code_labels")).group_name == "seeds"
    for key in ("raw_manifest", "parsed_reports", "tidy_reports", "tidy_applications", "agencies"):
        assert graph.has(dg.AssetKey(key))
    # staging reads the tidy files (dbt sources); the analysts' names read the standing
    # reports; marts read the flags
    parents = graph.get(dg.AssetKey("applications_all_files")).parent_keys
    assert parents == {dg.AssetKey("tidy_applications")}
    assert graph.get(dg.AssetKey("applications")).parent_keys == {
        dg.AssetKey("applications_all_files"),
        dg.AssetKey("reports"),
    }
    assert (
        dg.AssetKey("consistency_flags")
        in graph.get(dg.AssetKey("agency_year_figures")).parent_keys
    )
    # the edges the identifier regex of the old build drew from string literals and CTEs
    assert graph.get(dg.AssetKey("stg_cells")).parent_keys == {
        dg.AssetKey(f"{t}_all_files")
        for t in ("applications", "active_disclosure", "review_litigation")
    }
    assert dg.AssetKey("applications") not in graph.get(dg.AssetKey("chk_narrative")).parent_keys
    assert dg.AssetKey("dim_agency_level") in graph.get(dg.AssetKey("code_labels")).child_keys


def test_no_directive_comments_and_no_own_placeholders_left():
    """How a model is built is dbt configuration, never a comment of our own."""
    for path in sorted(MODELS.rglob("*.sql")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^--\s*(materialized|exported|incremental by):", text, re.M), path
        assert "{{warehouse_dir}}" not in text and "{{snapshot_id}}" not in text, path


def test_every_check_file_is_an_asset_check_and_names_itself():
    """Each chk_<name> model's flags have the dbt test `no_flags_raised` named <name> on
    consistency_flags: the Dagster asset check <name> on that table, as before dbt, which a
    failing check never stops (severity warn)."""
    loaded = defs()
    check_keys = loaded.resolve_asset_graph().asset_check_keys
    flags_sql = "".join(
        (MODELS / "checks" / f"{name}.sql").read_text()
        for name in ("consistency_flags", "flags_per_report", "flags_of_own_figures")
    )
    tests = {
        node["name"]: node
        for node in MANIFEST["nodes"].values()
        if node["resource_type"] == "test"
        and (node.get("test_metadata") or {}).get("name") == "no_flags_raised"
    }
    checks = sorted((MODELS / "checks").rglob("chk_*.sql"))
    assert len(checks) == 12 and len(tests) == 12
    for path in checks:
        name = path.stem.removeprefix("chk_")
        assert dg.AssetCheckKey(dg.AssetKey("consistency_flags"), name) in check_keys
        assert tests[name]["config"]["severity"].lower() == "warn"
        assert tests[name]["test_metadata"]["kwargs"]["check"] == name
        assert f"'{name}' AS check_name" in path.read_text(), path.name
        assert re.search(rf"\bFROM {{{{ ref\('{path.stem}'\) }}}}", flags_sql), (
            f"{path.stem} not in consistency_flags"
        )


def test_publishing_is_the_last_step_and_waits_for_every_asset():
    graph = defs().resolve_asset_graph()
    publish = dg.AssetKey("published_warehouse")
    others = {key for key in graph.get_all_asset_keys() if key != publish}
    assert graph.get(publish).parent_keys == others
    assert not graph.get(publish).child_keys


def test_the_code_list_in_the_repository_covers_every_code_the_parser_writes():
    """sql/seeds/code_labels.csv (the dims' source) has a row for every code of the forms
    the parser reads and every agency level stg_agencies gives, and a label for each."""
    import csv

    from parsers import APPLICANT_TYPES, OUTCOMES, PROCEEDINGS
    from parsers.forms import FORMS

    with open(SQL_DIR / "seeds" / "code_labels.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    codes: dict[str, set[str]] = {}
    for row in rows:
        assert row["label_zh"] and row["name_en"], row
        codes.setdefault(row["dimension"], set()).add(row["code"])
    assert sum(len(c) for c in codes.values()) == len(rows)  # no code twice
    categories = {r.code for form in FORMS.values() for r in form.table3}
    cells = {f"{r.code}/{m}" for form in FORMS.values() for r in form.table2 for m in r.measures}
    assert codes["application_category"] == categories
    assert codes["applicant_type"] == set(APPLICANT_TYPES)
    assert codes["active_disclosure_cell"] == cells
    assert codes["review_litigation_cell"] == {f"{p}/{o}" for p in PROCEEDINGS for o in OUTCOMES}
    agencies_sql = (MODELS / "staging" / "stg_agencies.sql").read_text(encoding="utf-8")
    levels = set(re.findall(r"(?:THEN|ELSE) '([a-z_]+)'", agencies_sql))
    assert len(levels) == 8 and codes["agency_level"] == levels
