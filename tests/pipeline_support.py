"""Helpers for the pipeline tests: constructed reports, a fake parser, a refresh runner.

The fake parser reads raw files that hold a JSON description of the report they stand
for, so each test states exactly what "the parser" returns for each file and the SQL
checks and marts can be tested on known figures, whatever the real parser can read yet.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from parsers import (
    APPLICANT_TYPES,
    OUTCOMES,
    PROCEEDINGS,
    ApplicationFact,
    DisclosureFact,
    Report,
    ReviewFact,
)
from parsers.forms import FORMS
from pipelines.core import parse_file
from pipelines.core.paths import PUBLISHED, WarehouseLayout
from pipelines.runner import Outcome, run_refresh
from reportgen.paths import EXPECTED as EXPECTED_DIR
from reportgen.paths import SHARED as SHARED_DIR
from reportgen.paths import SHIPPED_SEEDS

__all__ = ["EXPECTED_DIR", "SHARED_DIR", "SHIPPED_SEEDS"]

# the 2021 form's table 3 rows (its optional single (六) row aside)
CATEGORIES_2021 = tuple(r.code for r in FORMS["2021"].table3 if not r.optional)


def spec(agency: str, year: int, **kwargs) -> dict:
    """A report description for the fake parser.

    `natural` maps a table-3 category to the natural-person count (every other applicant
    column is 0 and 总计 equals it unless `cells` overrides a cell); table 3 is made
    consistent from `new`, `carried`, `granted`, … by the caller. `review` maps a
    proceeding to its five values. `cells` overrides single cells:
    {"category/applicant_type": value}; `drop` lists cells the report lacks; `extra_cells`
    adds cells of codes that are not in the form ({"category/applicant_type": value});
    `ocr` maps cells of table 3 to a confidence and makes every figure of it read by OCR (on
    page 1; the cells not named at 0.99).
    """
    return {"agency": agency, "year": year, **kwargs}


def table3(
    new: int = 0,
    carried: int = 0,
    granted: int = 0,
    partial: int = 0,
    unable: int = 0,
    not_processed: int = 0,
    denied: int = 0,
) -> dict[str, int]:
    """Natural-person counts of a table 3 whose identities hold."""
    total = granted + partial + unable + not_processed + denied
    return {
        "received.new": new,
        "received.carried_over": carried,
        "result.granted": granted,
        "result.partially_granted": partial,
        "result.denied.state_secret": denied,
        "result.unable.not_held": unable,
        "result.not_processed.duplicate_request": not_processed,
        "result.total": total,
        "carried_forward": new + carried - total,
    }


#: Two agencies, one of whose reports is also present as a byte-identical copy.
TWO_AGENCIES_WITH_A_COPY = {
    "a.txt": spec("樟树市鹿江街道办事处", 2023, natural=table3(new=2, granted=2)),
    "b.txt": spec("洛龙区学府街道办事处", 2023, natural=table3(new=1, granted=1)),
    "copy/b.txt": spec("洛龙区学府街道办事处", 2023, natural=table3(new=1, granted=1)),
}


def report_from_spec(data: bytes, source_path: str | None) -> Report:
    s = json.loads(data)
    natural = s.get("natural", {})
    cells = s.get("cells", {})
    line = iter(range(100, 10_000))
    applications = []
    for category in CATEGORIES_2021:
        for applicant in APPLICANT_TYPES:
            if applicant in ("natural_person", "total"):
                value = natural.get(category, 0)
            else:
                value = 0
            key = f"{category}/{applicant}"
            if key in s.get("drop", ()):
                continue
            value = cells.get(key, value)
            how = {}
            if "ocr" in s:
                how = {"method": "ocr", "page": 1, "confidence": s["ocr"].get(key, 0.99)}
            applications.append(
                ApplicationFact(category, applicant, value, str(value), next(line), **how)
            )
    for key, value in s.get("extra_cells", {}).items():  # codes the form does not have
        category, applicant = key.split("/")
        applications.append(ApplicationFact(category, applicant, value, str(value), next(line)))
    if "other_subtotal" in s:  # a 2021 report that also prints the (六) subtotal row
        for applicant in APPLICANT_TYPES:
            value = s["other_subtotal"] if applicant in ("natural_person", "total") else 0
            applications.append(
                ApplicationFact("result.other", applicant, value, str(value), next(line))
            )
    review = []
    for proceeding in PROCEEDINGS:
        values = s.get("review", {}).get(proceeding, [0, 0, 0, 0, 0])
        for outcome, value in zip(OUTCOMES, values, strict=True):
            review.append(ReviewFact(proceeding, outcome, value, str(value), next(line)))
    disclosure = [
        DisclosureFact(item, measure, float(value), str(value), next(line))
        for item, measure, value in [
            ("administrative_penalty", "decisions", s.get("penalties", 0)),
            ("administrative_license", "decisions", 0),
        ]
    ]
    rejected = s.get("status") == "rejected"
    return Report(
        report_id=hashlib.sha256(data).hexdigest()[:16],
        source_path=source_path,
        encoding="utf-8",
        encoding_confidence=1.0,
        layout="fake",
        format_version="2021",
        agency=s["agency"],
        year=s["year"],
        status=s.get("status", "parsed"),
        status_reason=s.get("status_reason"),
        parser_version="fake",
        applications=[] if rejected else applications,
        active_disclosure=[] if rejected else disclosure,
        review_litigation=[] if rejected else review,
        narrative=s.get("narrative", {}),
    )


class FakeParser:
    """Stands in for `parsers.parse_report`; counts its calls."""

    def __init__(self):
        self.calls: list[str | None] = []
        self.version = "fake"  # stamped on each report as its parser_version

    def __call__(self, data: bytes, source_path: str | None = None) -> Report:
        self.calls.append(source_path)
        report = report_from_spec(data, source_path)
        report.parser_version = self.version
        return report


def install_fake_parser(monkeypatch) -> FakeParser:
    fake = FakeParser()
    monkeypatch.setattr(parse_file, "parse_report", fake)
    return fake


def write_specs(raw_dir: Path, specs: dict[str, dict]) -> None:
    for name, s in specs.items():
        path = raw_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(s, ensure_ascii=False), encoding="utf-8")


def refresh(raw_dir: Path, warehouse_dir: Path, workers: int = 1) -> Outcome:
    outcome = run_refresh(
        raw_dir,
        warehouse_dir,
        workers,
        instance=dg.DagsterInstance.ephemeral(),
        show_progress=False,
    )
    assert outcome.success, outcome.failures
    return outcome


def query(warehouse_dir: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(WarehouseLayout(warehouse_dir).duckdb), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def query_dicts(warehouse_dir: Path, sql: str, params: list | None = None) -> list[dict]:
    con = duckdb.connect(str(WarehouseLayout(warehouse_dir).duckdb), read_only=True)
    try:
        cursor = con.execute(sql, params or [])
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


# --- the whole warehouse, for "nothing changed" and "equals a clean run" comparisons ---


def warehouse_state(
    warehouse_dir: Path, ignore_timestamps: bool = False, ignore: frozenset[str] = frozenset()
) -> dict[str, list]:
    """Every table and view of warehouse.duckdb and every published Parquet file, as sorted
    rows (as readers see them: through the links in the warehouse dir). Columns named in
    `ignore` are left out, and timestamp columns with `ignore_timestamps` (two runs at
    different times record different times, and the marts' `snapshot_id` their run ids)."""
    if ignore_timestamps:
        ignore = ignore | {"snapshot_id"}
    state: dict[str, list] = {}
    con = duckdb.connect(str(WarehouseLayout(warehouse_dir).duckdb), read_only=True)
    try:
        objects = con.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'main' ORDER BY table_name"
        ).fetchall()
        for (name,) in objects:
            columns = [
                column
                for column, data_type in con.execute(
                    "SELECT column_name, data_type FROM information_schema.columns "
                    "WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
                    [name],
                ).fetchall()
                if column not in ignore and not (ignore_timestamps and "TIMESTAMP" in data_type)
            ]
            select = ", ".join(f'"{c}"' for c in columns)
            rows = con.execute(f'SELECT {select} FROM "{name}"').fetchall()
            state[f"duckdb:{name}"] = [columns, sorted(rows, key=repr)]
    finally:
        con.close()
    parquet = [warehouse_dir / name for name in PUBLISHED if name.endswith(".parquet")]
    parquet += sorted((warehouse_dir / "marts").glob("*.parquet"))
    for path in parquet:
        table = pq.read_table(path)
        keep = [
            f.name
            for f in table.schema
            if f.name not in ignore and not (ignore_timestamps and pa.types.is_timestamp(f.type))
        ]
        rows = [tuple(r.values()) for r in table.select(keep).to_pylist()]
        state[f"parquet:{path.relative_to(warehouse_dir)}"] = [keep, sorted(rows, key=repr)]
    return state


def assert_same_state(actual: dict, expected: dict) -> None:
    assert sorted(actual) == sorted(expected), "different tables"
    for name in expected:
        assert actual[name] == expected[name], f"{name} differs"


def leftovers(warehouse_dir: Path) -> list[str]:
    """Temporary files and snapshots beyond the published one and the one before it."""
    found = [
        str(p.relative_to(warehouse_dir))
        for p in warehouse_dir.rglob("*")
        if p.name.endswith(".tmp") or p.name.startswith(".starting-")
    ]
    snapshots = warehouse_dir / "snapshots"
    if snapshots.is_dir() and len(list(snapshots.iterdir())) > 2:
        found.append(f"{len(list(snapshots.iterdir()))} snapshots")
    return found
