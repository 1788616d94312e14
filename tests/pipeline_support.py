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

from parsers import APPLICANT_TYPES, ApplicationFact, DisclosureFact, Report, ReviewFact
from pipelines import reading
from pipelines.paths import PROJECT_ROOT, WarehouseLayout
from pipelines.runner import Outcome, run_refresh
from tests.conftest import EXPECTED as EXPECTED_DIR
from tests.conftest import SHARED as SHARED_DIR

SHIPPED_SEEDS = PROJECT_ROOT / "data" / "raw" / "seeds"
__all__ = ["EXPECTED_DIR", "SHARED_DIR", "SHIPPED_SEEDS"]

CATEGORIES_2021 = (
    "received.new",
    "received.carried_over",
    "result.granted",
    "result.partially_granted",
    "result.denied.state_secret",
    "result.denied.prohibited_by_law",
    "result.denied.security_stability",
    "result.denied.third_party_rights",
    "result.denied.internal_affairs",
    "result.denied.process_information",
    "result.denied.enforcement_case_file",
    "result.denied.administrative_query",
    "result.unable.not_held",
    "result.unable.needs_creation",
    "result.unable.unclear_after_correction",
    "result.not_processed.petition_complaint",
    "result.not_processed.duplicate_request",
    "result.not_processed.publication_request",
    "result.not_processed.excessive_requests",
    "result.not_processed.confirmation_request",
    "result.other.overdue_correction",
    "result.other.overdue_fee",
    "result.other.other",
    "result.total",
    "carried_forward",
)
PROCEEDINGS = ("review", "litigation_direct", "litigation_after_review")
OUTCOMES = ("upheld", "corrected", "other", "pending", "total")


def spec(agency: str, year: int, **kwargs) -> dict:
    """A report description for the fake parser.

    `natural` maps a table-3 category to the natural-person count (every other applicant
    column is 0 and 总计 equals it unless `cells` overrides a cell); table 3 is made
    consistent from `new`, `carried`, `granted`, … by the caller. `review` maps a
    proceeding to its five values. `cells` overrides single cells:
    {"category/applicant_type": value}; `drop` lists cells the report lacks.
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
            applications.append(ApplicationFact(category, applicant, value, str(value), next(line)))
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

    def __call__(self, data: bytes, source_path: str | None = None) -> Report:
        self.calls.append(source_path)
        return report_from_spec(data, source_path)


def install_fake_parser(monkeypatch) -> FakeParser:
    fake = FakeParser()
    monkeypatch.setattr(reading, "parse_report", fake)
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
