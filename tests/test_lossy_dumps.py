"""Crawler dumps that lost the table's structure (merged identical lines, numbers and labels
broken across lines) read back exactly where the form's identities leave one reading, and
are `partial` otherwise: never a wrong figure (generated reports, every one-cell-per-line
layout, each loss alone and both together)."""

from __future__ import annotations

import functools
import random
from collections import Counter

import pytest

from parsers import parse_report
from parsers.reconstruct import TooAmbiguous, readings
from tests.generator import (
    CELL_PER_LINE_LAYOUTS,
    Noise,
    crawler_losses,
    make_case,
    printed_cells,
    read_cells,
)

LOSSES = {"merged": (True, False), "broken": (False, True), "merged+broken": (True, True)}
SEEDS = range(9100, 9130)


@functools.cache
def known_figures() -> list:
    """The hand-read figures of the real reports (mostly zeros, as real tables are)."""
    from tests.test_generated_reports import _known

    return [k.without_blanks() for k in _known()]


def lossy_case(seed: int, layout: str, loss: str, figures=None):
    case = make_case(seed, layout, "utf-8", noise=Noise(), figures=figures)
    merged, broken = LOSSES[loss]
    text = crawler_losses(case.text, random.Random(seed), merged=merged, broken=broken)
    return case, text, parse_report(text.encode(), f"{layout}/{loss}/{seed}")


#: Of the 21 real reports' figures, how many read back whole (measured: merged 7, broken
#: 8-9, both 1-2 of 7): the rest are partial because their printing really is ambiguous (a
#: row `0 / 1 / 0 / 1` can hold its 1 in four columns) or breaks the form's identities.
MIN_EXACT = {"merged": 6, "broken": 7, "merged+broken": 0}


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("layout", CELL_PER_LINE_LAYOUTS)
def test_a_lossy_dump_reads_back_exactly_or_partial_never_wrong(layout, loss):
    n = CELL_PER_LINE_LAYOUTS.index(layout)
    # (both losses at once are slow to enumerate: a third of the real figures per layout)
    real = [
        (7000 + k, f)
        for k, f in enumerate(known_figures())
        if loss != "merged+broken" or k % 3 == n
    ]
    random_ = [(seed, None) for seed in SEEDS if seed % 5 == n]
    outcomes: Counter[str] = Counter()
    for seed, figures in real + random_:
        case, text, report = lossy_case(seed, layout, loss, figures)
        want, got = printed_cells(case.figures), read_cells(report)
        wrong = {k: (got[k].value, want.get(k)) for k in got if got[k].value != want.get(k)}
        assert not wrong, f"[{case.label} {loss}] wrong figures: {wrong}"
        assert report.status in ("parsed", "partial"), (case.label, report.status_reason)
        if report.status == "parsed":
            assert set(got) == set(want), case.label
        exact = report.status == "parsed" and figures is not None
        outcomes["exact" if exact else "other"] += 1
    # the losses are undone, not merely refused
    assert outcomes["exact"] >= MIN_EXACT[loss], outcomes


def test_merged_lines_are_rebuilt_and_say_so():
    for k, figures in enumerate(known_figures()):
        case, text, report = lossy_case(7000 + k, "cell_per_line_blank", "merged", figures)
        if report.status == "parsed" and any(
            f.method == "reconstructed" for f in report.applications
        ):
            break
    else:
        pytest.fail("no merged dump read back whole")
    assert "\n0\n0\n" not in text  # identical lines were merged …
    methods = Counter(f.method for f in report.applications + report.review_litigation)
    assert set(methods) <= {"reconstructed", "label"}, methods  # … and the figures say so


def test_a_lossy_row_names_its_readings_when_it_is_ambiguous():
    """Table 2 has no identity: `1` / `0` for three cells is 1,0,0 or 1,1,0."""
    assert readings(["1", "0"], 3, merged=True, broken=False) == [(1, 0, 0), (1, 1, 0)]
    assert readings(["1", "0", "1"], 7, True, False, lambda v: sum(v[:6]) == v[6]) == [
        (1, 0, 0, 0, 0, 0, 1)
    ]
    assert readings(["1", "62", "0", "162"], 7, True, True, lambda v: sum(v[:6]) == v[6]) == [
        (162, 0, 0, 0, 0, 0, 162)
    ]
    with pytest.raises(TooAmbiguous):
        readings(["1", "0", "1", "0", "2", "0", "2", "0", "3", "0", "3"], 15, True, True)


def test_blank_cells_of_a_converters_pipe_rows_are_not_rebuilt_as_merged_lines() -> None:
    """html2text's text of a real page (tests/fixtures/reports/corpus/SOURCES.md): table 3's
    rows print 26 for natural persons and 总计 and blank organisation cells
    (`26 |  |  |  |  |  |  26`). Read as a lossy dump, the one line '26' had one reading,
    seven 26s, which breaks the row's own total: it was loaded (`partial`, 26 in every
    organisation column). A reading that breaks its own row total is not rebuilt."""
    from tests.conftest import shared_path

    rel = "corpus/derived/shuyang_drc_2023.html2text.txt"
    report = parse_report(shared_path(rel).read_bytes(), rel)
    assert report.status == "partial"
    got = {(f.category, f.applicant_type): f.value for f in report.applications}
    for row in ("received.new", "result.granted", "result.total"):
        assert (row, "commercial_enterprise") not in got, row
        assert f"table 3 row {row}: lines '26' allow one reading, and it breaks" in (
            report.status_reason
        )
    # what is read is what the page prints (its blanks, where read, as zeros)
    assert {v for (row, _), v in got.items() if row != "received.new"} <= {0, 26}
    assert all(
        v in (0, None) for (_, col), v in got.items() if col != "natural_person" and col != "total"
    )
