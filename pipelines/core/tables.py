"""Arrow schemas of the files the pipeline writes, an atomic Parquet writer, SQL quoting.

Column names and types follow docs/DATA_DICTIONARY.md; the tidy tables themselves are
written by `pipelines.core.tidy` with these types.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.core import seals
from pipelines.core.faults import checkpoint

#: Hex digits of a file's SHA-256 kept in the name of a sealed file (`PartWriter`).
SEAL_HEX = 32

TS = pa.timestamp("us", tz="UTC")

MANIFEST_SCHEMA = pa.schema(
    [
        ("path", pa.string()),
        ("size", pa.int64()),
        ("mtime_ns", pa.int64()),
        ("ctime_ns", pa.int64()),
        ("inode", pa.int64()),
        ("sha256", pa.string()),
        ("error", pa.string()),
        ("present", pa.bool_()),
        ("first_seen", TS),
        ("content_first_seen", TS),
        ("gone_since", TS),
    ]
)

#: Where and how each figure was read, the same fields in every fact table: the printed
#: text, its line (and PDF page), the method, and for method 'ocr' the recogniser's
#: confidence.
CELL_PROVENANCE = [
    ("raw", pa.string()),
    ("line", pa.int32()),
    ("method", pa.string()),
    ("page", pa.int32()),
    ("confidence", pa.float64()),
]

APPLICATION_FACT = pa.struct(
    [
        ("category", pa.string()),
        ("applicant_type", pa.string()),
        ("value", pa.int64()),
        *CELL_PROVENANCE,
    ]
)
DISCLOSURE_FACT = pa.struct(
    [
        ("item", pa.string()),
        ("measure", pa.string()),
        ("value", pa.float64()),
        *CELL_PROVENANCE,
    ]
)
REVIEW_FACT = pa.struct(
    [
        ("proceeding", pa.string()),
        ("outcome", pa.string()),
        ("value", pa.int64()),
        *CELL_PROVENANCE,
    ]
)

#: One row per parsed content hash: `Report.to_dict()` plus the hash and when it was parsed.
PARSED_SCHEMA = pa.schema(
    [
        ("sha256", pa.string()),
        ("parsed_at", TS),
        ("report_id", pa.string()),
        ("source_path", pa.string()),
        ("encoding", pa.string()),
        ("encoding_confidence", pa.float64()),
        ("layout", pa.string()),
        ("input_kind", pa.string()),
        ("format_version", pa.string()),
        ("agency", pa.string()),
        ("year", pa.int32()),
        ("status", pa.string()),
        ("status_reason", pa.string()),
        ("parser_version", pa.string()),
        ("applications", pa.list_(APPLICATION_FACT)),
        ("active_disclosure", pa.list_(DISCLOSURE_FACT)),
        ("review_litigation", pa.list_(REVIEW_FACT)),
        ("warnings", pa.list_(pa.string())),
        ("sections", pa.map_(pa.string(), pa.int32())),
        ("narrative", pa.map_(pa.string(), pa.int64())),
    ]
)


def parse_cache_key(parser_version: str) -> str:
    """Cache results are reused only with the same parser version and the same cache schema."""
    schema = hashlib.sha256(PARSED_SCHEMA.to_string().encode()).hexdigest()[:8]
    return f"{parser_version}-{schema}"


#: Files a refresh could not hand to the parser (not cached: tried again next time).
SKIPPED_SCHEMA = pa.schema([("path", pa.string()), ("reason", pa.string())])

AGENCIES_SCHEMA = pa.schema(
    [
        ("agency", pa.string()),
        ("province", pa.string()),
        ("city", pa.string()),
        ("county", pa.string()),
        ("remainder", pa.string()),
        ("adcode", pa.string()),
    ]
)


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write next to `path`, then rename: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        pq.write_table(table, tmp)
        _replace_durably(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


class PartWriter:
    """Record batches appended to a temporary file next to `path` as they come, so memory is
    bounded by one row group; `commit` syncs it and renames it to `path` (readers never see
    half a file), `close` without a commit removes it. Nothing is written for no rows."""

    def __init__(
        self, path: Path, schema: pa.Schema, row_group_rows: int = 2048, sealed: bool = False
    ):
        self.path, self.schema, self.row_group_rows = path, schema, row_group_rows
        #: `commit` names the file `<stem>-<SHA-256 of its bytes, 32 hex>.parquet`
        self.sealed = sealed
        self.tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
        self.rows = 0
        self._writer: pq.ParquetWriter | None = None
        self._pending: list[pa.RecordBatch] = []
        self._pending_rows = 0

    def write(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows == 0:
            return
        self._pending.append(batch)
        self._pending_rows += batch.num_rows
        self.rows += batch.num_rows
        if self._pending_rows >= self.row_group_rows:
            self._flush()

    def _flush(self) -> None:
        if not self._pending:
            return
        if self._writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self.tmp, self.schema)
        table = pa.Table.from_batches(self._pending, schema=self.schema)
        self._writer.write_table(table, row_group_size=table.num_rows)
        self._pending, self._pending_rows = [], 0

    def commit(self) -> Path | None:
        """Rename the complete file to `path`; None (and no file) when no row was written."""
        self._flush()
        if self._writer is None:
            return None
        self._writer.close()
        self._writer = None
        if self.sealed:
            digest = seals.sha256_of(self.tmp)[:SEAL_HEX]
            self.path = self.path.with_name(f"{self.path.stem}-{digest}{self.path.suffix}")
        _replace_durably(self.tmp, self.path)
        return self.path

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self.tmp.unlink(missing_ok=True)

    def __enter__(self) -> PartWriter:
        return self

    def __exit__(self, *_exc) -> None:
        self.close()


def _replace_durably(tmp: Path, path: Path) -> None:
    """Rename a complete temporary file over `path`, synced so that not even a power loss
    can leave a renamed but empty file."""
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    checkpoint(f"write:{path.name}")
    os.replace(tmp, path)
    fd = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sql_string(value: object) -> str:
    """A SQL string literal (paths go into COPY/read_parquet, which take no parameters)."""
    return "'" + str(value).replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    """A quoted SQL identifier (model names come from sql/ file names)."""
    return '"' + name.replace('"', '""') + '"'


def copy_to_parquet(
    con: duckdb.DuckDBPyConnection, query: str, path: Path, metadata: dict[str, str] | None = None
) -> None:
    """COPY a query's result to `path`, atomically like `write_parquet`; `metadata` goes
    into the file's key-value metadata (keys must be identifiers)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    kv_metadata = ""
    if metadata:
        pairs = ", ".join(f"{sql_identifier(k)}: {sql_string(v)}" for k, v in metadata.items())
        kv_metadata = f", KV_METADATA {{{pairs}}}"
    try:
        con.execute(f"COPY ({query}) TO {sql_string(tmp)} (FORMAT parquet{kv_metadata})")
        _replace_durably(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
