"""Before a snapshot is published, its database is made to hold exactly the models and
seeds of `sql/` (the dbt project): a model since renamed or removed, or a scratch table
written into a published warehouse, would otherwise be carried into every later snapshot.

No Dagster here.
"""

from __future__ import annotations

from collections.abc import Collection

import duckdb

from pipelines.core.tables import sql_identifier


def drop_unmanaged(con: duckdb.DuckDBPyConnection, names: Collection[str]) -> list[str]:
    """Drop every table and view of the database but those of `names` in `main`, and every
    other schema. Returns what was dropped (`name`, `schema.name`, `schema <name>`)."""
    found = con.execute(
        "SELECT table_schema, table_name, table_type FROM information_schema.tables "
        "WHERE table_catalog = current_database() "
        "ORDER BY table_type = 'VIEW' DESC, table_schema, table_name"
    ).fetchall()
    dropped = []
    for schema, name, kind in found:
        if schema == "main" and name in names:
            continue
        kind = "VIEW" if kind == "VIEW" else "TABLE"
        con.execute(
            f"DROP {kind} IF EXISTS {sql_identifier(schema)}.{sql_identifier(name)} CASCADE"
        )
        dropped.append(name if schema == "main" else f"{schema}.{name}")
    for (schema,) in con.execute(
        "SELECT schema_name FROM duckdb_schemas() WHERE database_name = current_database() "
        "AND NOT internal AND schema_name <> 'main'"
    ).fetchall():
        con.execute(f"DROP SCHEMA IF EXISTS {sql_identifier(schema)} CASCADE")
        dropped.append(f"schema {schema}")
    return dropped
