"""The four tidy tables of the data contract, from the manifest and the parse cache.

`reports` has one row per raw file present now (two files with the same bytes share a
report_id and its facts); the fact tables have one row per report × cell, each with the
source line. A file whose bytes were never parsed says why in `status_reason`: the scan's
reason (a link, an unreadable file) or the parse step's (gone since the scan, too large).
Selection and unnesting only, in an in-memory DuckDB (the warehouse file is not opened
here) with a memory limit (it spills to a temporary dir beyond it); everything is read from
and written to one snapshot. The fact tables are not sorted (a sort of every cell was most
of this step's time and memory); analysts order what they query.

`reports.parquet` is one file, rewritten when its inputs differ from the ones it was built
from: the set of parse-cache parts (parts are never modified, only added or removed), the
manifest columns read here, the run's parse skips and the queries themselves (their
fingerprint is in the file's Parquet footer, `pipelines.core.fingerprints`).

Each fact table is a directory of Parquet files (`applications.parquet/part-….parquet`, the
data contract allows one file or a directory per table), one part per parse-cache part: the
cells of the reports whose newest parse that cache part holds and whose bytes are present
now. A part is rewritten only when that set of reports changes (its fingerprint, in its
footer, is the set's digest), so a refresh that parses 1,000 new reports into a warehouse
of 100,000 writes one small part per table; the others are the published ones, hard-linked.
(Writing the 16.8M cells of `applications` at 100k reports took ~5 s of every refresh.)
A part's name ends with its fingerprint: a name always holds the same rows, so a reader that
lists the directory of one snapshot and opens the parts after a publish gets the same rows or,
for a part the new snapshot no longer has, an error; never another snapshot's rows.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipelines.core import duckdb_config, fingerprints
from pipelines.core.faults import checkpoint
from pipelines.core.parse_cache_compaction import cache_parts
from pipelines.core.paths import WarehouseFiles, table_parts
from pipelines.core.raw_dir import name_note
from pipelines.core.tables import PARSED_SCHEMA, SKIPPED_SCHEMA, copy_to_parquet, sql_string

#: The manifest columns the queries below read.
MANIFEST_COLUMNS = [
    "path",
    "size",
    "sha256",
    "error",
    "present",
    "first_seen",
    "content_first_seen",
]

_REPORTS = """
SELECT
    coalesce(p.report_id, left(m.sha256, 16)) AS report_id,
    m.path AS source_path,
    p.encoding,
    p.encoding_confidence,
    coalesce(p.layout, 'unknown') AS layout,
    coalesce(p.input_kind, 'unknown') AS input_kind,
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
    list_concat(coalesce(p.warnings, []), CASE WHEN n.note IS NULL THEN [] ELSE [n.note] END)
        AS warnings,
    p.sections,
    p.narrative,
    m.sha256,
    m.size AS file_size,
    m.first_seen,
    m.content_first_seen
FROM manifest AS m
LEFT JOIN parsed AS p USING (sha256)
LEFT JOIN skipped AS s ON s.path = m.path
LEFT JOIN name_notes AS n ON n.path = m.path
ORDER BY source_path
"""

# One row per distinct report with bytes present now whose newest parse is in one cache
# part (`part`: its file name), facts unnested with their own columns.
_FACTS = """
WITH live AS (
    SELECT * FROM parsed
    WHERE sha256 IN (SELECT sha256 FROM manifest) AND parse_cache_part = {part}
),
cells AS (
    SELECT report_id, agency, year, unnest({list_column}) AS f FROM live
)
SELECT report_id, agency, year, f.{key1} AS {key1}, f.{key2} AS {key2},
    f.value AS value, f.raw AS raw, f.line AS line, f.method AS method,
    f.page AS page, f.confidence AS confidence
FROM cells
"""

# The newest parse of each hash wins if a hash was ever parsed twice (a narrow window over
# the keys only; the wide rows are then picked by a semi-join, streaming).
_NEWEST = """
CREATE TEMP TABLE newest AS
SELECT sha256, filename, file_row_number FROM (
    SELECT sha256, parsed_at, filename, file_row_number FROM parsed_all
) QUALIFY row_number() OVER (
    -- (a compaction stopped before removing its parts leaves a row in two parts, with the
    -- same parsed_at: the same one wins every time, so no part changes for nothing)
    PARTITION BY sha256 ORDER BY parsed_at DESC, filename DESC, file_row_number DESC
) = 1
"""

# Per cache part: the reports whose fact rows its tidy parts hold (present now, newest here).
_PART_REPORTS = """
SELECT filename, string_agg(sha256, ',' ORDER BY sha256) AS reports
FROM newest
WHERE sha256 IN (SELECT sha256 FROM manifest)
GROUP BY filename
"""

FACT_KEYS = {
    "applications": ("category", "applicant_type"),
    "active_disclosure": ("item", "measure"),
    "review_litigation": ("proceeding", "outcome"),
}


#: The queries and the cache schema: a change to either rebuilds the tables.
CODE_VERSION = fingerprints.digest(
    _REPORTS,
    _FACTS,
    _NEWEST,
    _PART_REPORTS,
    repr(FACT_KEYS),
    PARSED_SCHEMA.to_string(),
    "name notes 1",
)
#: The fact part of an empty table (no report present): a table is never no file at all.
EMPTY_PART = "part-empty"


def inputs_fingerprint(files: WarehouseFiles, cache_dir: Path) -> str:
    """What the tidy tables of `files` are built from (see the module's docstring)."""
    parts = [f"{p.name}:{p.stat().st_size}" for p in cache_parts(cache_dir)]
    manifest = pq.read_table(files.manifest, columns=MANIFEST_COLUMNS)
    skips = (
        pq.read_table(files.parse_skips)
        if files.parse_skips.exists()
        else SKIPPED_SCHEMA.empty_table()
    )
    return fingerprints.digest(
        CODE_VERSION,
        cache_dir.name,
        *parts,
        fingerprints.table_digest(manifest),
        fingerprints.table_digest(skips),
    )


@dataclass(frozen=True)
class TidyResult:
    rows: dict[str, int]  # table → row count
    rebuilt: bool  # False: the snapshot's tables were already built from these inputs


def build_tidy_tables(files: WarehouseFiles, cache_dir: Path) -> TidyResult:
    """Write the four tidy tables into `files` (a snapshot), as much of them as changed."""
    fingerprint = inputs_fingerprint(files, cache_dir)
    reports = files.tidy("reports")
    per_report = fingerprints.digest(CODE_VERSION, cache_dir.name)
    with duckdb_config.connect(None, files.root) as con:
        _create_views(con, files, cache_dir)
        rebuilt = False
        if fingerprints.of_file(reports) != fingerprint:
            copy_to_parquet(con, _REPORTS, reports, {fingerprints.KEY: fingerprint})
            rebuilt = True
        wanted = _wanted_parts(con, cache_dir)
        for table, (key1, key2) in FACT_KEYS.items():
            folder = _fact_dir(files.tidy(table))
            for name, (part_fingerprint, source) in wanted.items():
                path = folder / name
                if fingerprints.of_file(path) == part_fingerprint:
                    continue
                query = _FACTS.format(
                    list_column=table, key1=key1, key2=key2, part=sql_string(source)
                )
                # a fact row depends only on its report's parse (ROWS_BY_REPORT_KEY)
                metadata = {
                    fingerprints.KEY: part_fingerprint,
                    fingerprints.ROWS_BY_REPORT_KEY: per_report,
                }
                copy_to_parquet(con, query, path, metadata)
                rebuilt = True
            checkpoint(f"tidy:{table}")
            for stale in folder.iterdir():
                if stale.name not in wanted:
                    _remove(stale)
                    rebuilt = stale.name.endswith(".parquet") or rebuilt
    rows = {"reports": pq.read_metadata(reports).num_rows}
    for table in FACT_KEYS:
        rows[table] = sum(pq.read_metadata(p).num_rows for p in table_parts(files.tidy(table)))
    return TidyResult(rows, rebuilt)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()


def _fact_dir(folder: Path) -> Path:
    """The fact table's directory, made (a warehouse built before fact tables were
    directories holds one file under the name: the directory replaces it)."""
    if folder.is_file() or folder.is_symlink():
        folder.unlink()
    folder.mkdir(exist_ok=True)
    return folder


def _wanted_parts(con: duckdb.DuckDBPyConnection, cache_dir: Path) -> dict[str, tuple[str, str]]:
    """Each fact table's part file names → (the fingerprint each must carry, the cache part
    it is read from): one per cache part holding the newest parse of a report present now
    (or the empty table's part, read from no cache part)."""
    rows = con.execute(_PART_REPORTS).fetchall() if cache_parts(cache_dir) else []
    wanted = {}
    for filename, reports in rows:
        cache_part = Path(filename)
        fingerprint = fingerprints.digest(CODE_VERSION, cache_dir.name, cache_part.name, reports)
        wanted[f"{cache_part.stem}-{fingerprint[:16]}.parquet"] = (fingerprint, filename)
    if not wanted:
        fingerprint = fingerprints.digest(CODE_VERSION, "no reports")
        wanted[f"{EMPTY_PART}-{fingerprint[:16]}.parquet"] = (fingerprint, "")
    return wanted


def _create_views(
    con: duckdb.DuckDBPyConnection, snapshot: WarehouseFiles, cache_dir: Path
) -> None:
    parts = cache_parts(cache_dir)
    if parts:
        files = ", ".join(sql_string(p) for p in parts)
        con.execute(
            "CREATE TEMP VIEW parsed_all AS SELECT * FROM read_parquet("
            f"[{files}], union_by_name = true, filename = true, file_row_number = true)"
        )
        con.execute(_NEWEST)
        con.execute(
            "CREATE TEMP VIEW parsed AS SELECT * EXCLUDE (filename, file_row_number), "
            "filename AS parse_cache_part "
            "FROM parsed_all SEMI JOIN newest USING (filename, file_row_number)"
        )
    else:
        empty = PARSED_SCHEMA.empty_table().append_column(
            "parse_cache_part", pa.array([], pa.string())
        )
        con.register("parsed", empty)
    con.execute(
        "CREATE TEMP VIEW manifest AS SELECT * "
        f"FROM read_parquet({sql_string(snapshot.manifest)}) WHERE present"
    )
    if snapshot.parse_skips.exists():
        con.execute(
            "CREATE TEMP VIEW skipped AS SELECT * "
            f"FROM read_parquet({sql_string(snapshot.parse_skips)})"
        )
    else:
        con.register("skipped", SKIPPED_SCHEMA.empty_table())
    con.register("name_notes", _name_notes(snapshot.manifest))


def _name_notes(manifest_path: Path) -> pa.Table:
    """(path, note) for the files whose path key is not their name as it is
    (`raw_dir.path_key`: a name that is not UTF-8, or holds a backslash), so that a person
    can recognise the file."""
    paths = pq.read_table(manifest_path, columns=["path"]).column("path")
    notes = [
        (path, name_note(path))
        for path in paths.filter(pc.match_substring(paths, "\\")).to_pylist()
    ]
    return pa.table(
        {"path": [p for p, _ in notes], "note": [n for _, n in notes]},
        schema=pa.schema([("path", pa.string()), ("note", pa.string())]),
    )
