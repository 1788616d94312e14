"""Parsed reports as one Arrow record batch of the parse cache's schema (`PARSED_SCHEMA`).

Built in the parse workers straight from each `Report`'s fields, column by column: no
`Report.to_dict()` (a deep copy of every fact) and no dict per row. The columns are read by
their schema names, which are the `Report` fields `to_dict()` returns; a test checks that
both give the same batch.
"""

from __future__ import annotations

from datetime import datetime
from operator import attrgetter

import pyarrow as pa

from parsers import Report
from pipelines.core.tables import PARSED_SCHEMA

_OWN = ("sha256", "parsed_at")


def _is_fact_list(t: pa.DataType) -> bool:
    return pa.types.is_list(t) and pa.types.is_struct(t.value_type)


def _fact_column(facts_per_report: list[list], list_type: pa.ListType) -> pa.Array:
    """A list<struct> column: one flat struct array of every fact, cut by offsets."""
    offsets = [0]
    flat: list = []
    for facts in facts_per_report:
        flat.extend(facts)
        offsets.append(len(flat))
    struct = list_type.value_type
    children = [
        pa.array(list(map(attrgetter(field.name), flat)), type=field.type) for field in struct
    ]
    values = pa.StructArray.from_arrays(children, fields=list(struct))
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), values, type=list_type)


def report_batch(results: list[tuple[str, Report]], parsed_at: datetime) -> pa.RecordBatch:
    """One row per (sha256 of the bytes parsed, report)."""
    reports = [report for _, report in results]
    columns = [
        pa.array([sha for sha, _ in results], pa.string()),
        pa.array([parsed_at] * len(results), PARSED_SCHEMA.field("parsed_at").type),
    ]
    for field in PARSED_SCHEMA:
        if field.name in _OWN:
            continue
        get = attrgetter(field.name)
        if _is_fact_list(field.type):
            columns.append(_fact_column(list(map(get, reports)), field.type))
        else:
            columns.append(pa.array(list(map(get, reports)), type=field.type))
    return pa.RecordBatch.from_arrays(columns, schema=PARSED_SCHEMA)
