"""SQL models: one `sql/<folder>/<name>.sql` file is one DuckDB view or table named <name>.

A file holds one SELECT. Its folder sets how it is built (`staging`, `checks`: view;
`marts`: table, also exported to `marts/<name>.parquet`); a `-- materialized: table` line
overrides that. `{{warehouse_dir}}` stands for the absolute warehouse dir. A model depends
on every other model or upstream table whose name appears in its SQL (comments aside).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

from pipelines.paths import WarehouseLayout
from pipelines.tables import copy_to_parquet

FOLDERS = {"staging": "view", "checks": "view", "marts": "table"}
EXPORTED_FOLDERS = {"marts"}
_DIRECTIVE = re.compile(r"^--\s*materialized:\s*(view|table)\s*$", re.MULTILINE)
_COMMENT = re.compile(r"--[^\n]*")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class SqlModel:
    name: str
    folder: str
    path: Path
    text: str

    @property
    def materialized(self) -> str:
        found = _DIRECTIVE.search(self.text)
        return found.group(1) if found else FOLDERS[self.folder]

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

    def select(self, layout: WarehouseLayout) -> str:
        warehouse_dir = str(layout.root).replace("'", "''")
        return self.text.replace("{{warehouse_dir}}", warehouse_dir).strip().rstrip(";")


def discover(sql_dir: Path) -> list[SqlModel]:
    models = []
    for folder in FOLDERS:
        for path in sorted((sql_dir / folder).glob("*.sql")):
            models.append(SqlModel(path.stem, folder, path, path.read_text(encoding="utf-8")))
    names = [m.name for m in models]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise ValueError(f"SQL model names must be unique across folders: {sorted(duplicates)}")
    return models


def build(con: duckdb.DuckDBPyConnection, model: SqlModel, layout: WarehouseLayout) -> int:
    """(Re)create the model; export it when it is a mart. Returns its row count."""
    kind = model.materialized.upper()
    con.execute(f"CREATE OR REPLACE {kind} {model.name} AS\n{model.select(layout)}")
    if model.exported:
        copy_to_parquet(con, f"SELECT * FROM {model.name}", layout.marts / f"{model.name}.parquet")
    return con.execute(f"SELECT count(*) FROM {model.name}").fetchone()[0]
