"""Input fingerprints: what a step's output was built from, so an unchanged step is skipped.

A step whose output is a deterministic function of its inputs and its code records the
SHA-256 of both with the output: a Parquet file carries it in its footer's key-value
metadata (`govreports_inputs`, written in the same file, so it is renamed into place
with the data it describes); what dbt builds from those files is selected by comparing
them (`pipelines.core.dbt_build`). A
refresh starts its snapshot as a copy of the published warehouse, so when the fingerprint
it computes equals the one recorded there, the output in the snapshot is already what a
rebuild would write. A missing or unreadable fingerprint always means: rebuild.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.core.paths import table_parts

KEY = "govreports_inputs"
#: Footer key of a fact table: a value on which alone the rows of each report_id depend
#: (the parser version and the tidy queries), so that a table built from an earlier file
#: with the same value can be brought up to date report by report (the dbt incremental
#: models; `pipelines.core.dbt_build`).
ROWS_BY_REPORT_KEY = "govreports_rows_by_report"


def digest(*parts: str | bytes) -> str:
    """SHA-256 of the parts, each length-prefixed (so no two lists of parts collide)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def table_digest(table: pa.Table) -> str:
    """SHA-256 of a table's schema and values (Arrow IPC of its columns in one batch); not
    of the schema's key-value metadata (which holds the fingerprint a file was written with)."""
    sink = pa.BufferOutputStream()
    table = table.combine_chunks().replace_schema_metadata(None)
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(sink.getvalue()).hexdigest()


def of_file(path: Path, key: str = KEY) -> str | None:
    """The fingerprint (or another footer value) a Parquet file was written with, or None."""
    try:
        metadata = pq.read_metadata(path).metadata or {}
    except (OSError, pa.ArrowInvalid):
        return None
    value = metadata.get(key.encode())
    return value.decode() if value else None


def of_table(path: Path, key: str = KEY) -> str | None:
    """`of_file` of a table that is one Parquet file or a directory of them
    (`part-*.parquet`): of a directory, the digest of its parts' names and values for
    `KEY`, the one value all parts share for any other key; None when a part has none (or,
    for another key, when parts differ)."""
    if not path.is_dir():
        return of_file(path, key)
    values = [(part.name, of_file(part, key)) for part in table_parts(path)]
    if not values or any(value is None for _, value in values):
        return None
    if key == KEY:
        return digest(*(f"{name}\0{value}" for name, value in values))
    distinct = {value for _, value in values}
    return distinct.pop() if len(distinct) == 1 else None


def with_fingerprint(table: pa.Table, fingerprint: str) -> pa.Table:
    """`table` whose Parquet file will carry `fingerprint`."""
    return table.replace_schema_metadata({**(table.schema.metadata or {}), KEY: fingerprint})
