"""A mart's Parquet file (`marts/<name>.parquet`), with its descriptions in the file.

Each column's description (from the dbt schema files, sql/models/*/_*.yml) is written into
its Parquet field's metadata (`description`), and the model's into the file's (also
`description`), so that a BI tool reading the file shows them (Arrow keeps field metadata
in the file's `ARROW:schema`). DuckDB's COPY cannot write field metadata, so the table is
read into Arrow and written by pyarrow, next to its final name and then renamed
(`tables.write_parquet`): readers never see half a file.

No Dagster here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import duckdb
import pyarrow as pa

from pipelines.core.tables import sql_identifier, write_parquet

DESCRIPTION = b"description"


def with_descriptions(
    table: pa.Table, columns: Mapping[str, str], description: str | None = None
) -> pa.Table:
    """`table` whose fields (and schema) carry their descriptions as metadata."""
    fields = []
    for field in table.schema:
        text = columns.get(field.name)
        if text:
            field = field.with_metadata({**(field.metadata or {}), DESCRIPTION: text.encode()})
        fields.append(field)
    metadata = dict(table.schema.metadata or {})
    if description:
        metadata[DESCRIPTION] = description.encode()
    return table.cast(pa.schema(fields, metadata=metadata or None))


def export(
    con: duckdb.DuckDBPyConnection,
    model: str,
    path: Path,
    columns: Mapping[str, str],
    description: str | None = None,
) -> int:
    """Write the table `model` to `path` with its descriptions; returns its row count."""
    table = con.execute(f"SELECT * FROM {sql_identifier(model)}").to_arrow_table()
    write_parquet(with_descriptions(table, columns, description), path)
    return table.num_rows
