"""SQL models: one `sql/<folder>/<name>.sql` file is one DuckDB view or table named <name>.

A file holds one SELECT. Its folder sets how it is built (`staging`, `checks`: view;
`marts`: table, also exported to `marts/<name>.parquet`); a `-- materialized: table` line
overrides that, and `-- exported: no` keeps a table of `marts` out of `marts/` (one the
marts are built from, kept as a table so that it is computed once). `{{warehouse_dir}}`
stands for the absolute dir of the warehouse being built (written inside a SQL string
literal: `read_parquet('{{warehouse_dir}}/x.parquet')`); a model that reads files that way
is always a table, so `warehouse.duckdb` holds its data and never refers to a file (it stays
valid when its snapshot is replaced or removed). A model depends on every other model whose
name appears in its SQL (comments and string literals aside), and on every upstream Parquet
file it reads through the placeholder, so a model may share its name with an upstream file
(the model `applications` is not the file `applications.parquet`). Model names are plain
identifiers.

`sql/seeds/<name>.csv` is a data file shipped in the repository (the code list the dimension
tables are built from), loaded as the table <name>, every column text, as `dbt seed` would;
its bytes are its code version.

A model is rebuilt only when what it is built from changed (`input_fingerprint`: its SQL,
the models and upstream Parquet files it names, recursively); the snapshot's database
starts as a copy of the published one, so an unchanged model is already there. Views are
not counted (that would run their query only for a number).

A table that copies one fact file row for row can say `-- incremental by: report_id`: when
the file's rows of each report_id depend on nothing that changed since the table was built
(`rows_generation`: the model's SQL and the file's `govreports_rows_by_report` footer, i.e.
the parser version and the tidy queries), only the reports that came or went are deleted
or inserted, and the result is checked against the file's row count (a full rebuild
otherwise). A nightly refresh then costs O(new reports) there, not O(all reports).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines import fingerprints
from pipelines.paths import WarehouseFiles
from pipelines.tables import copy_to_parquet, sql_identifier, sql_string

FOLDERS = {"seeds": "table", "staging": "view", "checks": "view", "marts": "table"}
#: `sql/seeds/<name>.csv`: a data file shipped in the repository, loaded as table <name>
#: (every column text; the models reading it cast), as `dbt seed` would.
SEEDS = "seeds"
EXPORTED_FOLDERS = {"marts"}
PLACEHOLDER = "{{warehouse_dir}}"
#: The name of the snapshot being built (the refresh's run id), inside a SQL string literal.
#: Not part of a model's code version: a model is not rebuilt for it, so a row keeps the id
#: of the refresh that last computed it.
SNAPSHOT_ID = "{{snapshot_id}}"
_DIRECTIVE = re.compile(r"^--\s*materialized:\s*(view|table)\s*$", re.MULTILINE)
_NOT_EXPORTED = re.compile(r"^--\s*exported:\s*no\s*$", re.MULTILINE)
_INCREMENTAL = re.compile(r"^--\s*incremental by:\s*([A-Za-z_][A-Za-z0-9_]*)\s*$", re.MULTILINE)
#: Comments and single-quoted string literals: words in them name no model.
_COMMENT = re.compile(r"'(?:[^']|'')*'|--[^\n]*")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class SqlModel:
    name: str
    folder: str
    path: Path
    text: str

    @property
    def is_seed(self) -> bool:
        return self.folder == SEEDS

    @property
    def reads_files(self) -> bool:
        return PLACEHOLDER in self.text and not self.is_seed

    @property
    def materialized(self) -> str:
        if self.is_seed:
            return "table"
        found = _DIRECTIVE.search(self.text)
        if found:
            return found.group(1)
        return "table" if self.reads_files else FOLDERS[self.folder]

    @property
    def incremental_key(self) -> str | None:
        """The column by which the table may be updated instead of rebuilt (tables only)."""
        if self.is_seed:
            return None
        found = _INCREMENTAL.search(self.text)
        return found.group(1) if found and self.materialized == "table" else None

    @property
    def exported(self) -> bool:
        return (
            self.folder in EXPORTED_FOLDERS
            and self.materialized == "table"
            and not _NOT_EXPORTED.search(self.text)
        )

    @property
    def code_version(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]

    @property
    def description(self) -> str:
        """The file's leading comment block."""
        if self.is_seed:
            return f"sql/seeds/{self.path.name}, loaded as it is"
        lines = []
        for line in self.text.splitlines():
            if not line.startswith("--"):
                break
            if not (
                _DIRECTIVE.match(line) or _INCREMENTAL.match(line) or _NOT_EXPORTED.match(line)
            ):
                lines.append(line[2:].strip())
        return " ".join(lines).strip()

    def references(self, names: set[str]) -> set[str]:
        """The models of `names` this one names (outside comments and string literals)."""
        if self.is_seed:
            return set()
        return (set(_WORD.findall(_COMMENT.sub(" ", self.text))) & names) - {self.name}

    @property
    def reads(self) -> set[str]:
        """The upstream tables whose Parquet files it reads (`{{warehouse_dir}}/<name>.parquet`)."""
        if self.is_seed:
            return set()
        return {rel.removesuffix(".parquet") for rel in _FILE_READ.findall(self.text)}

    def select(self, files: WarehouseFiles) -> str:
        """The SELECT with the placeholder replaced, quoted for the SQL literal it sits in.
        A seed's: its CSV file read as it is (its bytes are its code version, so an edit
        rebuilds it and what reads it)."""
        if self.is_seed:
            return (
                f"SELECT * FROM read_csv({sql_string(self.path)}, header = true, "
                "all_varchar = true, delim = ',', quote = '\"', escape = '\"')"
            )
        warehouse_dir = str(files.root).replace("'", "''")
        snapshot_id = files.root.name.replace("'", "''")
        text = self.text.replace(PLACEHOLDER, warehouse_dir).replace(SNAPSHOT_ID, snapshot_id)
        return text.strip().rstrip(";")


def discover(sql_dir: Path) -> list[SqlModel]:
    models = []
    for folder in FOLDERS:
        suffix = "*.csv" if folder == SEEDS else "*.sql"
        for path in sorted((sql_dir / folder).glob(suffix)):
            if not _NAME.match(path.stem):
                raise ValueError(f"SQL model file names must be identifiers: {path}")
            models.append(SqlModel(path.stem, folder, path, path.read_text(encoding="utf-8")))
    names = [m.name for m in models]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"SQL model names must be unique across folders: {sorted(duplicates)}")
    return models


#: Where each model's input fingerprint is recorded, in the database it describes.
BUILD_SCHEMA = "govreports_build"
_RECORDED = "SELECT inputs FROM govreports_build.model_inputs WHERE model = ?"
_RECORD = [
    "CREATE SCHEMA IF NOT EXISTS govreports_build",
    "CREATE TABLE IF NOT EXISTS govreports_build.model_inputs "
    "(model VARCHAR PRIMARY KEY, inputs VARCHAR)",
    "DELETE FROM govreports_build.model_inputs WHERE model = ?",
    "CREATE TABLE IF NOT EXISTS govreports_build.model_rows "
    "(model VARCHAR PRIMARY KEY, generation VARCHAR)",
    "DELETE FROM govreports_build.model_rows WHERE model = ?",
]
_INSERT = "INSERT INTO govreports_build.model_inputs VALUES (?, ?)"
#: Incremental tables: the generation (`rows_generation`) their rows were last brought to.
_RECORDED_ROWS = "SELECT generation FROM govreports_build.model_rows WHERE model = ?"
_INSERT_ROWS = "INSERT INTO govreports_build.model_rows VALUES (?, ?)"
_FILE_READ = re.compile(re.escape(PLACEHOLDER) + r"/([^'\"]*)")


def input_fingerprint(
    model: SqlModel, models: dict[str, SqlModel], upstream: set[str], files: WarehouseFiles
) -> str | None:
    """What `model` is built from: its SQL and, recursively, the fingerprints of the models
    and upstream Parquet files it names. None (always rebuild) when an upstream file has no
    fingerprint or the SQL reads a file that is not an upstream table. Each model on the
    way is fingerprinted once, however many paths lead to it."""
    known: dict[str, str | None] = {}

    def of(m: SqlModel) -> str | None:
        if m.name not in known:
            known[m.name] = fingerprint(m)
        return known[m.name]

    def fingerprint(m: SqlModel) -> str | None:
        parts = [m.code_version]
        for rel in _FILE_READ.findall(m.text):
            if rel.removesuffix(".parquet") not in upstream or not rel.endswith(".parquet"):
                return None
        for dep in sorted(m.references(set(models))):
            found = of(models[dep])
            if found is None:
                return None
            parts.append(f"{dep}={found}")
        for table in sorted(m.reads):
            found = fingerprints.of_file(files.root / f"{table}.parquet")
            if found is None:
                return None
            parts.append(f"{table}.parquet={found}")
        return fingerprints.digest(*parts)

    return of(model)


def is_current(
    con: duckdb.DuckDBPyConnection, model: SqlModel, files: WarehouseFiles, inputs: str | None
) -> bool:
    """True when the database (a copy of the published one) already holds `model` built from
    `inputs`, as the right kind of object, with its Parquet export beside it."""
    if inputs is None or _existing_kind(con, model.name) != model.materialized.upper():
        return False
    if model.exported and not (files.marts / f"{model.name}.parquet").exists():
        return False
    if not _has_build_table(con, "model_inputs"):
        return False
    recorded = con.execute(_RECORDED, [model.name]).fetchone()
    return recorded is not None and recorded[0] == inputs


def _existing_kind(con: duckdb.DuckDBPyConnection, name: str) -> str | None:
    [existing] = con.execute(
        "SELECT any_value(table_type) FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_name = ?",
        [name],
    ).fetchone()
    if existing is None:
        return None
    return "VIEW" if existing == "VIEW" else "TABLE"


def rows_generation(model: SqlModel, files: WarehouseFiles) -> str | None:
    """For an incremental model: a value that stays the same as long as the rows of each key
    in its one input file stay the same. None: not incremental, or no such guarantee."""
    reads = _FILE_READ.findall(model.text)
    if model.incremental_key is None or len(reads) != 1:
        return None
    upstream = fingerprints.of_file(files.root / reads[0], fingerprints.ROWS_BY_REPORT_KEY)
    return fingerprints.digest(model.code_version, upstream) if upstream else None


def build(
    con: duckdb.DuckDBPyConnection,
    model: SqlModel,
    files: WarehouseFiles,
    inputs: str | None = None,
    generation: str | None = None,
) -> tuple[int | None, str]:
    """(Re)create the model in the open database of `files` — or, for an incremental table
    whose recorded `generation` allows it, update it in place — export it when it is a mart,
    and record what it was built from (`inputs`, `generation`), all in one transaction.
    Returns (row count of a table from its storage, no scan, or None for a view;
    "incremental" or "full")."""
    con.execute("BEGIN TRANSACTION")
    try:
        how = "full"
        if generation is not None and _recorded_generation(con, model) == generation:
            if _apply_changes(con, model, files):
                how = "incremental"
            else:  # the rows do not add up: start again from scratch
                con.execute("ROLLBACK")
                con.execute("BEGIN TRANSACTION")
        if how == "full":
            _create(con, model, files)
        if model.exported:
            name = sql_identifier(model.name)
            copy_to_parquet(con, f"SELECT * FROM {name}", files.marts / f"{model.name}.parquet")
        _record(con, model, inputs, generation)
        con.execute("COMMIT")
    except BaseException:
        _rollback_quietly(con)  # the error to show is the one that stopped the build
        raise
    return row_count(con, model), how


def _rollback_quietly(con: duckdb.DuckDBPyConnection) -> None:
    """Roll back if a transaction is still open. A failed COMMIT (disk full, a path that
    cannot be written) has already ended it, and a ROLLBACK then raises "no transaction is
    active", which would hide the cause."""
    try:
        con.execute("ROLLBACK")
    except duckdb.Error:
        pass


def _create(con: duckdb.DuckDBPyConnection, model: SqlModel, files: WarehouseFiles) -> None:
    kind = model.materialized.upper()
    name = sql_identifier(model.name)
    # the snapshot starts as a copy of the published database: drop a model of the other kind
    existing = _existing_kind(con, model.name)
    if existing and existing != kind:
        con.execute(f"DROP {'VIEW' if existing == 'VIEW' else 'TABLE'} {name}")
    con.execute(f"CREATE OR REPLACE {kind} {name} AS\n{model.select(files)}")


def _apply_changes(con: duckdb.DuckDBPyConnection, model: SqlModel, files: WarehouseFiles) -> bool:
    """Delete the rows of keys gone from the input, insert those of new keys; True when the
    table then holds exactly as many rows as its SELECT returns."""
    name, key = sql_identifier(model.name), sql_identifier(model.incremental_key)
    select = model.select(files)
    con.execute(f"CREATE TEMP TABLE _keys_now AS SELECT DISTINCT {key} AS k FROM ({select})")
    con.execute(f"CREATE TEMP TABLE _keys_before AS SELECT DISTINCT {key} AS k FROM {name}")
    con.execute(
        f"DELETE FROM {name} WHERE {key} IN "
        "(SELECT k FROM _keys_before EXCEPT SELECT k FROM _keys_now)"
    )
    con.execute(
        f"INSERT INTO {name} SELECT * FROM ({select}) WHERE {key} IN "
        "(SELECT k FROM _keys_now EXCEPT SELECT k FROM _keys_before)"
    )
    con.execute("DROP TABLE _keys_now")
    con.execute("DROP TABLE _keys_before")
    [expected] = con.execute(f"SELECT count(*) FROM ({select})").fetchone()
    [actual] = con.execute(f"SELECT count(*) FROM {name}").fetchone()
    return actual == expected


def _recorded_generation(con: duckdb.DuckDBPyConnection, model: SqlModel) -> str | None:
    if _existing_kind(con, model.name) != "TABLE" or not _has_build_table(con, "model_rows"):
        return None
    found = con.execute(_RECORDED_ROWS, [model.name]).fetchone()
    return found[0] if found else None


def _has_build_table(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = ? AND table_name = ?",
            [BUILD_SCHEMA, table],
        ).fetchone()[0]
    )


def _record(
    con: duckdb.DuckDBPyConnection, model: SqlModel, inputs: str | None, generation: str | None
) -> None:
    for statement in _RECORD:
        con.execute(statement, [model.name] if "?" in statement else [])
    if inputs is not None:
        con.execute(_INSERT, [model.name, inputs])
    if generation is not None:
        con.execute(_INSERT_ROWS, [model.name, generation])


def row_count(con: duckdb.DuckDBPyConnection, model: SqlModel) -> int | None:
    """A table's row count (DuckDB keeps it: no scan); None for a view."""
    if model.materialized != "table":
        return None
    return con.execute(f"SELECT count(*) FROM {sql_identifier(model.name)}").fetchone()[0]


def drop_unmanaged(con: duckdb.DuckDBPyConnection, models: list[SqlModel]) -> list[str]:
    """Drop every table and view of the database that no model in `sql/` makes (a model
    since renamed or removed; a scratch table written into a published warehouse), with
    its bookkeeping, so that a snapshot holds exactly the models of its `sql/`. Returns
    the dropped names."""
    names = {m.name for m in models}
    found = con.execute(
        "SELECT table_schema, table_name, table_type FROM information_schema.tables "
        "WHERE table_catalog = current_database() AND table_schema <> ? "
        "ORDER BY table_type = 'VIEW' DESC, table_schema, table_name",
        [BUILD_SCHEMA],
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
        "AND NOT internal AND schema_name NOT IN ('main', ?)",
        [BUILD_SCHEMA],
    ).fetchall():
        con.execute(f"DROP SCHEMA IF EXISTS {sql_identifier(schema)} CASCADE")
        dropped.append(f"schema {schema}")
    if _has_build_table(con, "model_inputs"):
        con.execute(_FORGET_INPUTS, [sorted(names)])
    if _has_build_table(con, "model_rows"):
        con.execute(_FORGET_ROWS, [sorted(names)])
    return dropped


_FORGET_INPUTS = (
    "DELETE FROM govreports_build.model_inputs WHERE NOT list_contains(?::VARCHAR[], model)"
)
_FORGET_ROWS = (
    "DELETE FROM govreports_build.model_rows WHERE NOT list_contains(?::VARCHAR[], model)"
)
