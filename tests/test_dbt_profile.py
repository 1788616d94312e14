"""sql/profiles.yml as dbt-duckdb uses it: a database whose temp dir has been spilled to
still opens cursors (dbt-duckdb applies the profile's `settings` on every cursor; DuckDB
refuses `SET temp_directory` once the dir was used: a 100k build failed so)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import yaml
from dbt.adapters.duckdb.credentials import DuckDBCredentials
from dbt.adapters.duckdb.environments import Environment

from pipelines.core.paths import SQL_DIR


def _profile(env: dict[str, str]) -> dict:
    """The snapshot output of profiles.yml, its env_var() calls rendered from `env`."""
    text = (SQL_DIR / "profiles.yml").read_text(encoding="utf-8")
    text = re.sub(
        r"\{\{\s*env_var\('(\w+)',\s*'[^']*'\)\s*\}\}", lambda m: env.get(m.group(1), ""), text
    )
    return yaml.safe_load(text)["govreports"]["outputs"]["snapshot"]


def test_a_database_that_has_spilled_still_opens_cursors_with_the_profile(tmp_path: Path) -> None:
    spill = tmp_path / "spill"
    output = _profile(
        {
            "GOVREPORTS_DBT_DATABASE": str(tmp_path / "w.duckdb"),
            "GOVREPORTS_DBT_SNAPSHOT_DIR": str(tmp_path),
            "GOVREPORTS_DBT_SNAPSHOT_ID": "run-1",
            "GOVREPORTS_DBT_SPILL_DIR": str(spill),
            "GOVREPORTS_DBT_MEMORY_LIMIT": "64MB",
        }
    )
    fields = {k: v for k, v in output.items() if k not in {"type", "threads", "keep_open"}}
    creds = DuckDBCredentials.from_dict({"database": "w", "schema": "main", **fields})
    con = Environment.initialize_db(creds)
    try:
        cur = Environment.initialize_cursor(creds, con.cursor())
        cur.execute("SET threads = 1")
        # a sort larger than the memory limit: DuckDB spills to the temp dir
        cur.execute("CREATE TABLE t AS SELECT md5(range::VARCHAR) AS s FROM range(1000000)")
        assert cur.execute("SELECT count(*) FROM (SELECT s FROM t ORDER BY s)").fetchone() == (
            1_000_000,
        )
        assert cur.execute("SELECT current_setting('temp_directory')").fetchone() == (str(spill),)
        # what dbt-duckdb does for the next model: a new cursor with the profile's settings
        again = Environment.initialize_cursor(creds, con.cursor())
        assert again.execute("SELECT getvariable('govreports_snapshot_id')").fetchone() == (
            "run-1",
        )
        # the memory limit of the profile, as DuckDB prints it
        with duckdb.connect(config={"memory_limit": "64MB"}) as reference:
            limit = reference.execute("SELECT current_setting('memory_limit')").fetchone()
        assert again.execute("SELECT current_setting('memory_limit')").fetchone() == limit
    finally:
        con.close()
