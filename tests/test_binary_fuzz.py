"""Damaged PDFs and Word files (reportgen/binary_mutations.py) never crash or hang the parser:
every input passes `reportgen.fuzz_checks.check_binary` (a record with a status, within
MAX_SECONDS). A failing input is saved under that module's FAILURES (the message names it):
`parse_report(Path(...).read_bytes())` reproduces it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from parsers import parse_report
from reportgen import fuzz_checks
from reportgen.binary_mutations import (
    DOCX_MUTATIONS,
    OLE2_MUTATIONS,
    PDF_MUTATIONS,
    binary_mutated_reports,
    binary_reports,
    mutated_with,
)
from reportgen.fuzz_checks import KNOWN_CRASHES, check_binary


def test_binary_corpus_reads() -> None:
    corpus = binary_reports()
    assert sum(1 for kind, _ in corpus if kind == "pdf") >= 10
    assert any(kind == "docx" for kind, _ in corpus)
    statuses = {parse_report(data).status for kind, data in corpus}
    assert "parsed" in statuses and "rejected" in statuses  # (scanned, password, no map)


def _xfail_if_known(known: set[str]) -> None:
    if known:
        name = sorted(known)[0]
        pytest.xfail(f"KNOWN_CRASH {name}: {KNOWN_CRASHES[name][0]}")


MUTATIONS = (
    [("pdf", m) for m in PDF_MUTATIONS]
    + [("docx", m) for m in DOCX_MUTATIONS]
    + [("ole2", m) for m in OLE2_MUTATIONS]
)


@pytest.mark.parametrize(
    ("kind", "mutate"), MUTATIONS, ids=[f"{k}-{m.__name__.lstrip('_')}" for k, m in MUTATIONS]
)
def test_every_mutation_is_survived(kind: str, mutate) -> None:
    """Each mutation on its own, a few times (so that every run tries every one)."""
    if not any(k == kind for k, _ in binary_reports()):
        pytest.skip(f"no {kind} file in the corpus")
    known: set[str] = set()

    @settings(max_examples=5, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(mutated_with(kind, mutate))
    def run(data: bytes) -> None:
        check_binary(data, known)

    run()
    _xfail_if_known(known)


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(binary_mutated_reports())
def _damaged_binary_reports(data: bytes) -> None:
    check_binary(data, _MIXED_SEEN)


_MIXED_SEEN: set[str] = set()


def test_damaged_binary_reports_never_crash_or_hang() -> None:
    """1–3 mutations of any corpus file, 120 cases."""
    _MIXED_SEEN.clear()
    _damaged_binary_reports()
    _xfail_if_known(_MIXED_SEEN)


def test_every_known_crash_is_still_real() -> None:
    """Runs after the tests above (file order): every KNOWN_CRASHES entry must still be hit
    somewhere, else the bug is fixed and its entry should go."""
    if fuzz_checks.CHECKED[0] < 100:
        pytest.skip("run with the fuzz tests above")
    if not KNOWN_CRASHES:
        return
    stale = set(KNOWN_CRASHES) - fuzz_checks.SEEN
    assert not stale, f"known crashes no longer seen (remove them): {sorted(stale)}"
