"""Mutated real reports never crash the parser: every input gives a record with a status,
and the parser's last-resort error handler never has to fire."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from parsers import parse_report
from tests.mutations import mutated_reports, real_reports

CORPUS = real_reports()
STATUSES = {"parsed", "partial", "rejected"}


def check_one(data: bytes) -> None:
    report = parse_report(data, "fuzz")
    assert report.status in STATUSES
    if report.status != "parsed":
        assert report.status_reason
    assert not (report.status_reason or "").startswith("internal parser error"), (
        report.status_reason
    )
    for fact in report.applications + report.review_litigation:
        assert fact.value is None or isinstance(fact.value, int)
    for fact in report.active_disclosure:
        assert fact.value is None or isinstance(fact.value, float)


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(mutated_reports(CORPUS))
def test_mutated_reports_never_crash(data: bytes) -> None:
    check_one(data)
