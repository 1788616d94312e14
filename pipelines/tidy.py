"""The four tidy tables of the data contract, from the manifest and the parse cache.

`reports` has one row per raw file present now (two files with the same bytes share a
report_id and its facts); the fact tables have one row per report × cell, each with the
source line. A file whose bytes were never parsed says why in `status_reason`: the scan's
reason (a link, an unreadable file) or the parse step's (gone since the scan, too large).
Selection and unnesting only, in an in-memory DuckDB (the warehouse file is not opened
here); everything is read from and written to one snapshot.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.paths import WarehouseFiles
from pipelines.tables import PARSED_SCHEMA, SKIPPED_SCHEMA, copy_to_parquet, sql_string

_REPORTS = """
SELECT
    coalesce(p.report_id, left(m.sha256, 16)) AS report_id,
    m.path AS source_path,
    p.encoding,
    p.encoding_confidence,
    coalesce(p.layout, 'unknown') AS layout,
    coalesce(p.format_version, 'unknown') AS format_version,
    p.agency,
    p.year,
    coalesce(p.status, 'rejected') AS status,
    CASE
        WHEN m.error IS NOT NULL THEN m.error
        WHEN p.sha256 IS NULL
            THEN coalesce(s.reason, 'not parsed: the file could not be read when parsing')
        ELSE p.status_reason
    END AS status_reason,
    p.parser_version,
    coalesce(p.warnings, []) AS warnings,
    p.sections,
    p.narrative,
    m.sha256,
    m.size AS file_size,
    m.first_seen,
    m.content_first_seen
FROM manifest AS m
LEFT JOIN parsed AS p USING (sha256)
LEFT JOIN skipped AS s ON s.path = m.path
ORDER BY source_path
"""

# One row per distinct report with bytes present now, facts unnested with their own columns.
_FACTS = """
WITH live AS (
    SELECT * FROM parsed WHERE sha256 IN (SELECT sha256 FROM manifest)
),
cells AS (
    SELECT report_id, agency, year, unnest({list_column}) AS f FROM live
)
SELECT report_id, agency, year, f.{key1} AS {key1}, f.{key2} AS {key2},
    f.value AS value, f.raw AS raw, f.line AS line
FROM cells
ORDER BY report_id, line NULLS LAST, {key1}, {key2}
"""

FACT_KEYS = {
    "applications": ("category", "applicant_type"),
    "active_disclosure": ("item", "measure"),
    "review_litigation": ("proceeding", "outcome"),
}


def _parsed(cache_dir: Path) -> pa.Table | str:
    parts = sorted(cache_dir.glob("part-*.parquet"))
    if not parts:
        return PARSED_SCHEMA.empty_table()
    files = ", ".join(sql_string(p) for p in parts)
    return f"read_parquet([{files}], union_by_name = true)"


def build_tidy_tables(files: WarehouseFiles, cache_dir: Path) -> dict[str, int]:
    """Write the four tidy tables into `files` (a snapshot); returns the row count of each."""
    con = duckdb.connect()
    try:
        source = _parsed(cache_dir)
        if isinstance(source, pa.Table):
            con.register("parsed_all", source)
            source = "parsed_all"
        # The newest parse of each hash wins if a hash was ever parsed twice.
        con.execute(
            f"CREATE TEMP VIEW parsed AS SELECT * FROM {source} "
            "QUALIFY row_number() OVER (PARTITION BY sha256 ORDER BY parsed_at DESC) = 1"
        )
        con.execute(
            "CREATE TEMP VIEW manifest AS SELECT * "
            f"FROM read_parquet({sql_string(files.manifest)}) WHERE present"
        )
        if files.parse_skips.exists():
            con.execute(
                f"CREATE TEMP VIEW skipped AS SELECT * FROM read_parquet({sql_string(files.parse_skips)})"
            )
        else:
            con.register("skipped", SKIPPED_SCHEMA.empty_table())
        queries = {"reports": _REPORTS}
        for table, (key1, key2) in FACT_KEYS.items():
            queries[table] = _FACTS.format(list_column=table, key1=key1, key2=key2)
        return {table: _copy(con, query, files.tidy(table)) for table, query in queries.items()}
    finally:
        con.close()


def _copy(con: duckdb.DuckDBPyConnection, query: str, path: Path) -> int:
    copy_to_parquet(con, query, path)
    return pq.ParquetFile(path).metadata.num_rows
