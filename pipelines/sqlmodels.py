"""SQL models: one `sql/<folder>/<name>.sql` file is one DuckDB view or table named <name>.

A file holds one SELECT. Its folder sets how it is built (`staging`, `checks`: view;
`marts`: table, also exported to `marts/<name>.parquet`); a `-- materialized: table` line
overrides that. `{{warehouse_dir}}` stands for the absolute dir of the warehouse being
built (written inside a SQL string literal: `read_parquet('{{warehouse_dir}}/x.parquet')`);
a model that reads files that way is always a table, so `warehouse.duckdb` holds its data
and never refers to a file (it stays valid when its snapshot is replaced or removed). A
model depends on every other model or upstream table whose name appears in its SQL
(comments aside). Model names are plain identifiers.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.paths import WarehouseFiles
from pipelines.tables import copy_to_parquet, sql_identifier

FOLDERS = {"staging": "view", "checks": "view", "marts": "table"}
EXPORTED_FOLDERS = {"marts"}
PLACEHOLDER = "{{warehouse_dir}}"
_DIRECTIVE = re.compile(r"^--\s*materialized:\s*(view|table)\s*$", re.MULTILINE)
_COMMENT = re.compile(r"--[^\n]*")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class SqlModel:
    name: str
    folder: str
    path: Path
    text: str

    @property
    def reads_files(self) -> bool:
        return PLACEHOLDER in self.text

    @property
    def materialized(self) -> str:
        found = _DIRECTIVE.search(self.text)
        if found:
            return found.group(1)
        return "table" if self.reads_files else FOLDERS[self.folder]

    @property
    def exported(self) -> bool:
        return self.folder in EXPORTED_FOLDERS and self.materialized == "table"

    @property
    def code_version(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]

    @property
    def description(self) -> str:
        """The file's leading comment block."""
        lines = []
        for line in self.text.splitlines():
            if not line.startswith("--"):
                break
            if not _DIRECTIVE.match(line):
                lines.append(line[2:].strip())
        return " ".join(lines).strip()

    def references(self, names: set[str]) -> set[str]:
        return (set(_WORD.findall(_COMMENT.sub("", self.text))) & names) - {self.name}

    def select(self, files: WarehouseFiles) -> str:
        """The SELECT with the placeholder replaced, quoted for the SQL literal it sits in."""
        warehouse_dir = str(files.root).replace("'", "''")
        return self.text.replace(PLACEHOLDER, warehouse_dir).strip().rstrip(";")


def discover(sql_dir: Path) -> list[SqlModel]:
    models = []
    for folder in FOLDERS:
        for path in sorted((sql_dir / folder).glob("*.sql")):
            if not _NAME.match(path.stem):
                raise ValueError(f"SQL model file names must be identifiers: {path}")
            models.append(SqlModel(path.stem, folder, path, path.read_text(encoding="utf-8")))
    names = [m.name for m in models]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"SQL model names must be unique across folders: {sorted(duplicates)}")
    return models


def build(con: duckdb.DuckDBPyConnection, model: SqlModel, files: WarehouseFiles) -> int:
    """(Re)create the model in the open database of `files`; export it when it is a mart.
    Returns its row count."""
    kind = model.materialized.upper()
    name = sql_identifier(model.name)
    # the snapshot starts as a copy of the published database: drop a model of the other kind
    [existing] = con.execute(
        "SELECT any_value(table_type) FROM information_schema.tables "
        "WHERE table_schema = current_schema() AND table_name = ?",
        [model.name],
    ).fetchone()
    if existing and (existing == "VIEW") != (kind == "VIEW"):
        con.execute(f"DROP {'VIEW' if existing == 'VIEW' else 'TABLE'} {name}")
    con.execute(f"CREATE OR REPLACE {kind} {name} AS\n{model.select(files)}")
    if model.exported:
        copy_to_parquet(con, f"SELECT * FROM {name}", files.marts / f"{model.name}.parquet")
    return con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]
