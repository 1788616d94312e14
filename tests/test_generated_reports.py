"""Generated reports: known and random figures re-rendered in every layout and encoding
(reportgen/generator.py) must come back from the parser exactly.

Every case is reproducible from its label (seed, layout, encoding): rebuild it with
`reportgen.generator.make_case(seed, layout, encoding, KNOWN)` and feed `case.data` to
`parse_report`. A failing case's message carries that label.

Exact means: status `parsed`; agency, covered year and form version as printed; every cell
of tables 2, 3 and 4 equal to the figures (None where printed blank, nothing extra); and
every fact's line number pointing at a line of the decoded text that holds its raw text.
Figures that break the form's identities must come back as printed, not corrected.

Parser gaps found by this generator are listed in KNOWN_GAPS (layouts/variants, each a
predicate on the case) and ENCODING_GAPS: a case a gap covers still runs, is xfailed if it
fails (the reason names the gap and the first error) and passes otherwise; a case in a gap
encoding is also checked as its clean UTF-8 control, which is asserted. Every other case is
asserted. `test_every_known_gap_is_still_real` fails once a gap no longer fails anywhere
in the matrix: remove the entry then, and its cases are asserted again.
"""

from __future__ import annotations

import dataclasses
import functools
import random
import re
from collections.abc import Callable

import pytest

from parsers import parse_report
from parsers.runsplit import split_runs
from reportgen.generator import (
    BLANK_LAYOUTS,
    ENCODINGS,
    LAYOUTS,
    T3_WIDTH,
    Case,
    Figures,
    Noise,
    ambiguous_run_together_figures,
    break_identities,
    make_case,
    printed_cells,
    random_figures,
    read_cells,
    run_splits,
    run_together_unique,
    signed_tokens,
    t2_measures,
    with_blanks,
)
from reportgen.roundtrip import known_figures, round_trip_errors

BASE_SEED = 20_240_122
CASES_PER_CELL = 8  # cases per layout × encoding in the random matrix
CASES_PER_GAP_CELL = 2  # … for an encoding the parser cannot read back yet (ENCODING_GAPS)
MIN_ASSERTED = 300  # asserted (non-gap) generated reports per run, at least


KNOWN = known_figures()

# ---------------------------------------------------------------------------- known gaps
# name → (reason, predicate on a case). Rebuild a covered case from its label to reproduce;
# minimal reproductions are in the message of the commit that added this file.


KNOWN_GAPS: dict[str, tuple[str, Callable[[Case], bool]]] = {}

# Encodings the parser cannot yet read back: a case in one of them is checked twice, as
# damaged (xfail if it fails) and as its clean UTF-8 control (asserted like any other
# case), so a layout bug cannot hide behind an encoding gap.
ENCODING_GAPS: dict[str, tuple[str, frozenset[str]]] = {}


def known_gap(case: Case) -> str | None:
    """The layout gap that covers `case`, if any."""
    for name, (_, covers) in KNOWN_GAPS.items():
        if covers(case):
            return name
    return None


def encoding_gap(case: Case) -> str | None:
    for name, (_, encodings) in ENCODING_GAPS.items():
        if case.encoding in encodings:
            return name
    return None


def clean_control(case: Case) -> Case:
    """The same report, saved as plain UTF-8."""
    return dataclasses.replace(case, encoding="utf-8", data=case.text.encode("utf-8"))


# ---------------------------------------------------------------------------- checking
def check_case(case: Case, errors: list[str] | None = None) -> None:
    """Assert an exact round trip, or xfail when a known gap covers the case and it fails."""
    enc_gap = encoding_gap(case)
    if enc_gap:
        check_case(clean_control(case))
    if errors is None:
        errors = round_trip_errors(case)
    gap = enc_gap or known_gap(case)
    if gap and errors:
        pytest.xfail(f"KNOWN_GAP {gap} [{case.label}]: {errors[0][:300]}")
    assert not errors, f"[{case.label}]\n" + "\n".join(errors[:12])


# ---------------------------------------------------------------------------- the matrix
_GAP_ENCODINGS = {e for _, encodings in ENCODING_GAPS.values() for e in encodings}
MATRIX = [
    (BASE_SEED + k, layout, encoding)
    for encoding in ENCODINGS
    for k in range(CASES_PER_GAP_CELL if encoding in _GAP_ENCODINGS else CASES_PER_CELL)
    for layout in LAYOUTS
]


def _id(param: tuple[int, str, str]) -> str:
    seed, layout, encoding = param
    return f"{layout}-{encoding}-{seed}"


@functools.cache
def matrix_case(seed: int, layout: str, encoding: str) -> Case:
    return make_case(seed, layout, encoding, KNOWN)


@functools.cache
def matrix_errors(seed: int, layout: str, encoding: str) -> tuple[str, ...]:
    return tuple(round_trip_errors(matrix_case(seed, layout, encoding)))


@pytest.mark.parametrize("param", MATRIX, ids=[_id(p) for p in MATRIX])
def test_generated_report_round_trips(param: tuple[int, str, str]) -> None:
    check_case(matrix_case(*param), list(matrix_errors(*param)))


def test_matrix_asserts_enough_reports_in_every_layout_and_encoding() -> None:
    """At least MIN_ASSERTED generated reports are asserted (not covered by a known gap)
    per run, and every layout and every encoding a gap does not wholly cover is asserted."""
    asserted: dict[tuple[str, str], int] = {}
    for seed, layout, encoding in MATRIX:
        case = matrix_case(seed, layout, encoding)
        if encoding_gap(case):  # its clean control is asserted
            case, encoding = clean_control(case), "utf-8 (control)"
        if known_gap(case) is None:
            asserted[(layout, encoding)] = asserted.get((layout, encoding), 0) + 1
    total = sum(asserted.values()) + len(KNOWN_FIGURE_CASES) + len(BROKEN_CASES)
    assert total >= MIN_ASSERTED, asserted
    for layout in LAYOUTS:
        for encoding in ENCODINGS:
            if not encoding_gap(dataclasses.replace(matrix_case(*MATRIX[0]), encoding=encoding)):
                assert asserted.get((layout, encoding), 0) >= CASES_PER_CELL // 2, (
                    layout,
                    encoding,
                    asserted,
                )


# ---------------------------------------------------------------------------- known figures
KNOWN_FIGURE_CASES = [
    (k, layout)
    for k, fig in enumerate(KNOWN)
    for j, layout in enumerate(LAYOUTS)
    if (k + j) % 3 == 0 or (fig.has_blanks() and layout in BLANK_LAYOUTS)
    if layout != "run_together" or run_together_unique(fig.without_blanks())
]


@pytest.mark.parametrize(
    ("k", "layout"),
    KNOWN_FIGURE_CASES,
    ids=[f"{KNOWN[k].origin}-{layout}" for k, layout in KNOWN_FIGURE_CASES],
)
def test_known_figures_round_trip_in_every_layout(k: int, layout: str) -> None:
    """The figures of every real report, printed in every layout (blanks where the layout
    can print them, otherwise 0), default noise chosen by the seed."""
    fig = KNOWN[k] if layout in BLANK_LAYOUTS else KNOWN[k].without_blanks()
    check_case(make_case(BASE_SEED + 1000 + k, layout, "utf-8", figures=fig))


def test_known_figures_cover_both_formats_and_blanks() -> None:
    assert {f.format for f in KNOWN} == {"2019", "2021"}
    assert any(f.has_blanks() for f in KNOWN)  # shanghai 2019: rows printed blank
    assert any("result.other" in f.table3 and f.format == "2021" for f in KNOWN)


# ---------------------------------------------------------------------------- broken identities
BROKEN_CASES = [
    (BASE_SEED + 2000 + k, layout, fmt)
    for k in range(3)
    for layout in LAYOUTS
    if layout != "run_together"
    for fmt in ("2021", "2019")
]


@pytest.mark.parametrize(("seed", "layout", "fmt"), BROKEN_CASES)
def test_broken_identities_come_back_as_printed(seed: int, layout: str, fmt: str) -> None:
    """Figures that break the form's identities (row totals, 总计, the balance note, table
    4's totals): the parser returns them exactly as printed, never corrected."""
    rng = random.Random(seed)
    fig = break_identities(random_figures(rng, fmt), rng, k=3)
    assert _identities_broken(fig)
    check_case(make_case(seed, layout, "utf-8", figures=fig, noise=Noise()))


def _identities_broken(fig: Figures) -> bool:
    t3 = fig.table3
    rows = any(sum(v or 0 for v in vals[:-1]) != (vals[-1] or 0) for vals in t3.values())
    results = [c for c in t3 if c.startswith("result.") and c != "result.total"]
    cols = any(
        sum(t3[c][i] or 0 for c in results) != (t3["result.total"][i] or 0)
        or (t3["received.new"][i] or 0) + (t3["received.carried_over"][i] or 0)
        != (t3["result.total"][i] or 0) + (t3["carried_forward"][i] or 0)
        for i in range(T3_WIDTH)
    )
    t4 = any(
        sum(v or 0 for v in fig.table4[g : g + 4]) != (fig.table4[g + 4] or 0) for g in (0, 5, 10)
    )
    return rows or cols or t4


# ---------------------------------------------------------------------------- untitled
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_untitled_report_named_by_its_signature(layout: str, fmt: str) -> None:
    """No title: the body is named only in the signature, the year by the text."""
    rng = random.Random(f"untitled:{layout}:{fmt}")
    if layout == "run_together":
        from reportgen.generator import random_run_together_figures

        fig = random_run_together_figures(rng, fmt)
    else:
        fig = random_figures(rng, fmt)
    fig.agency = rng.choice(
        ("福州市鼓楼区安泰街道办事处", "淮安市洪泽区人民政府", "沭阳县发展和改革局")
    )
    case = make_case(BASE_SEED + 3000, layout, "utf-8", figures=fig, noise=Noise(untitled=True))
    assert case.noise.untitled
    compact = re.sub(r"\s+", "", case.text)
    assert f"{fig.agency}{fig.year}年" not in compact
    assert f"{fig.year}年{fig.agency}" not in compact
    check_case(case)


# ---------------------------------------------------------------------------- run-together ambiguity
def _ambiguous_run_together_cases() -> list[tuple[int, str]]:
    return [(BASE_SEED + 4000 + k, fmt) for k in range(8) for fmt in ("2021", "2019")]


@pytest.mark.parametrize(("seed", "fmt"), _ambiguous_run_together_cases())
def test_run_together_ambiguity_is_reported_never_guessed(seed: int, fmt: str) -> None:
    """Run-together figures whose digit runs split more than one way under the identities:
    the report is `partial`, each ambiguous cell is absent (and named in the reason),
    every cell that is returned is the printed one."""
    fig = ambiguous_run_together_figures(random.Random(seed), fmt)
    splits = run_splits(fig)
    assert any(n != 1 for n in splits.values())
    case = make_case(seed, "run_together", "utf-8", figures=fig, noise=Noise())
    report = parse_report(case.data, "ambiguous")
    label = case.label
    assert report.agency == fig.agency, label
    assert report.year == fig.year, label

    got = {key: fact.value for key, fact in read_cells(report).items()}  # type: ignore[attr-defined]
    want = printed_cells(fig)
    wrong = {k: (got[k], want.get(k)) for k in got if got[k] != want.get(k)}
    assert not wrong, f"[{label}] wrong numbers returned: {wrong}"

    missing = [k for k in want if k not in got]
    assert missing, f"[{label}] ambiguous splits {splits} but every cell returned"
    assert report.status == "partial", f"[{label}] {report.status}"
    reason = report.status_reason or ""
    for table, name, _ in missing if len(reason) < 1900 else ():  # (long reasons are cut)
        if table == "t4":
            assert "table 4" in reason, f"[{label}] {reason}"
        else:
            assert name in reason, f"[{label}] {name} missing but not named: {reason}"

    # table 2 has no identity: a row whose digits split several ways must be left out
    measures = t2_measures(fig.format)
    for item, ms in measures.items():
        counts = tuple(m for m in ms if m not in ("amount_10k_yuan", "amount_yuan"))
        if len(counts) > 1 and splits.get(f"t2:{item}", 1) > 1:
            options = _t2_options(fig, item, counts)
            for m in counts:
                if len(options[m]) > 1:
                    assert ("t2", item, m) not in got, f"[{label}] {item}.{m} guessed"
    # table 4: one split under the three group totals, or none at all
    if splits["t4"] > 1:
        assert not any(k[0] == "t4" for k in got), f"[{label}] table 4 guessed"


def _t2_options(fig: Figures, item: str, ms: tuple[str, ...]) -> dict[str, set[int]]:
    tokens = signed_tokens([int(fig.table2[item][m]) for m in ms])
    fits = [
        f
        for f in split_runs(tokens, len(ms))
        if all(v >= 0 or m == "change" for v, m in zip(f, ms, strict=True))
    ]
    return {m: {f[k] for f in fits} for k, m in enumerate(ms)}


# ---------------------------------------------------------------------------- the generator itself
@pytest.mark.parametrize("fmt", ["2021", "2019"])
def test_random_figures_satisfy_the_identities_and_are_not_all_zero(fmt: str) -> None:
    rng = random.Random(fmt)
    for _ in range(50):
        fig = random_figures(rng, fmt)
        assert not _identities_broken(fig)
        assert any(v for vals in fig.table3.values() for v in vals)
        assert _identities_broken(break_identities(fig, rng, k=1))
        assert not fig.has_blanks()
        blank = with_blanks(fig, rng, share=1.0)
        for vals in blank.table3.values():
            assert any(v is not None for v in vals)


def test_cases_are_reproducible_from_their_label() -> None:
    a = make_case(BASE_SEED, "pdf_text", "gb18030", KNOWN)
    b = make_case(BASE_SEED, "pdf_text", "gb18030", KNOWN)
    assert a.data == b.data and a.label == b.label


def test_every_known_gap_is_still_real() -> None:
    """Each KNOWN_GAPS / ENCODING_GAPS entry must still fail for at least one matrix case:
    a gap the parser has closed should be removed so its cases are asserted again."""
    failing: set[str] = set()
    for param in MATRIX:
        case = matrix_case(*param)
        gap = encoding_gap(case) or known_gap(case)
        if gap and gap not in failing and matrix_errors(*param):
            failing.add(gap)
    stale = (set(KNOWN_GAPS) | set(ENCODING_GAPS)) - failing
    assert not stale, f"known gaps no longer seen (remove them): {sorted(stale)}"
