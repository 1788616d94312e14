"""Generated reports drawn as real PDFs (reportgen/pdf_reports.py) must come back exactly.

Each variant (reportgen.pdf_reports.VARIANTS) is rendered for SEEDS_PER_VARIANT seeds, both form
versions, with random print noise: a PDF with a text layer must be `parsed`, from input kind
`pdf`, with agency, year, form version and every figure as printed (the same check as the
text layouts: `reportgen.roundtrip.round_trip_errors`, on the PDF's extracted text),
every fact on the page its row was drawn on and on a line of that page that holds its raw
text. Scanned, password-protected and unmapped-font PDFs must be rejected with their reason.

Reproduce a case: `render_case(seed, variant)` (or the rng and options in `_rendered`) and
`parse_report(rendered.data)`; `parsers.pdf_text.pdf_text(rendered.data).text` is the text
the parser read.
"""

from __future__ import annotations

import dataclasses
import functools
import random

import pytest

from parsers import parse_report
from parsers.pdf_text import pdf_text
from reportgen.generator import (
    Case,
    break_identities,
    printed_cells,
    random_figures,
    read_cells,
    with_blanks,
)
from reportgen.pdf_reports import (
    FIXTURES,
    VARIANTS,
    PdfOptions,
    RenderedPdf,
    load_fixture_figures,
    random_options,
    random_pdf_noise,
    render_pdf,
)
from reportgen.roundtrip import round_trip_errors

BASE_SEED = 20_250_301
SEEDS_PER_VARIANT = 4
PROPERTY_SEEDS = 70
REJECTED = {
    "scanned": "scanned PDF: no text layer",
    "encrypted_user": "encrypted PDF",
}
#: Every text-layer variant, and "blank_cells": the plain variant with some zero cells
#: printed as empty cells (they must read back as null).
TEXT_VARIANTS = [v for v in VARIANTS if v not in REJECTED] + ["blank_cells"]

# Variants the parser cannot yet read exactly: name → reason (the test is xfail(strict):
# once the parser reads every seed of the variant, remove the entry).
KNOWN_PDF_GAPS: dict[str, str] = {}


def _rendered(seed: int, variant: str) -> RenderedPdf:
    rng = random.Random(f"pdf:{seed}:{variant}")
    fmt = ("2021", "2019")[seed % 2]
    fig = random_figures(rng, fmt)
    if variant == "blank_cells":
        fig = with_blanks(fig, rng)
    options = dataclasses.replace(VARIANTS.get(variant, PdfOptions()), noise=random_pdf_noise(rng))
    return render_pdf(fig, rng, options)


render_case = functools.cache(_rendered)


def pdf_errors(rendered: RenderedPdf, label: str, report=None) -> list[str]:
    """Every way the parse of a generated PDF differs from what was drawn (empty: exact)."""
    report = report or parse_report(rendered.data, f"generated/{label}.pdf")
    errors: list[str] = []
    if report.input_kind != "pdf":
        errors.append(f"input_kind {report.input_kind!r}")
    try:
        extracted = pdf_text(rendered.data)
    except Exception as exc:  # noqa: BLE001 - reported as the case's error
        return errors + [f"status {report.status}: {report.status_reason}; pdf_text: {exc}"]
    starts = extracted.page_starts

    def on_text(fact):
        """The fact with its line counted in the whole extracted text (as in a text file)."""
        if fact.page is None or fact.line is None or not 1 <= fact.page <= len(starts):
            return fact
        return dataclasses.replace(fact, page=None, line=starts[fact.page - 1] + fact.line - 1)

    pages = rendered.row_pages
    for fact in report.applications + report.active_disclosure + report.review_litigation:
        key = getattr(fact, "category", None) or getattr(fact, "item", None)
        table = "t3" if hasattr(fact, "category") else "t2" if hasattr(fact, "item") else "t4"
        want = pages.get((table, key or ""))
        if fact.page is None:
            errors.append(f"fact {fact!r} has no page")
        elif fact.page != want:
            errors.append(f"fact {fact!r} on page {fact.page}, drawn on page {want}")
    absolute = dataclasses.replace(
        report,
        applications=[on_text(f) for f in report.applications],
        active_disclosure=[on_text(f) for f in report.active_disclosure],
        review_litigation=[on_text(f) for f in report.review_litigation],
    )
    case = Case(0, label, "pdf", rendered.options.noise, rendered.figures, extracted.text, b"")
    return errors + round_trip_errors(case, absolute)


def _variant_params():
    out = []
    for v in TEXT_VARIANTS:
        marks = (
            [pytest.mark.xfail(strict=True, reason=KNOWN_PDF_GAPS[v])]
            if v in KNOWN_PDF_GAPS
            else []
        )
        out.append(pytest.param(v, marks=marks, id=v))
    return out


@pytest.mark.parametrize("variant", _variant_params())
def test_text_layer_pdf_reads_exactly(variant: str) -> None:
    failures = []
    for k in range(SEEDS_PER_VARIANT):
        seed = BASE_SEED + k
        rendered = render_case(seed, variant)
        errors = pdf_errors(rendered, f"{variant}-{seed}")
        if errors:
            failures.append(
                f"seed={seed} variant={variant} format={rendered.figures.format} "
                f"options={rendered.options.tags()}:\n    " + "\n    ".join(errors[:6])
            )
    assert not failures, "\n".join(failures)


def test_variants_cover_both_forms_and_several_pages() -> None:
    for variant in ("plain", "split_table", "rotated_90"):
        formats = set()
        for k in range(SEEDS_PER_VARIANT):
            rendered = render_case(BASE_SEED + k, variant)
            formats.add(rendered.figures.format)
            assert rendered.page_count >= 2
            if variant == "split_table":  # table 3's rows on two pages
                t3 = {p for (t, _), p in rendered.row_pages.items() if t == "t3"}
                assert len(t3) == 2, (variant, t3)
            if variant == "rotated_90":
                assert rendered.row_pages[("t4", "")] > rendered.table_pages["table2"]
        assert formats == {"2019", "2021"}


@pytest.mark.parametrize("variant", sorted(REJECTED))
def test_unreadable_pdfs_are_rejected_with_their_reason(variant: str) -> None:
    for k in range(2):
        rendered = render_case(BASE_SEED + k, variant)
        report = parse_report(rendered.data, f"generated/{variant}.pdf")
        assert report.input_kind == "pdf"
        assert report.status == "rejected", (variant, report.status, report.status_reason)
        assert (report.status_reason or "").startswith(REJECTED[variant]), report.status_reason
        assert not (report.applications or report.active_disclosure or report.review_litigation)


def test_owner_password_only_pdf_is_encrypted_and_read() -> None:
    rendered = render_case(BASE_SEED, "encrypted_owner")
    assert b"/Encrypt" in rendered.data
    assert not pdf_errors(rendered, "encrypted_owner")


def test_truetype_fixture_reads_exactly_and_without_unicode_map_is_rejected() -> None:
    """Committed (CI has no CJK TrueType font): an embedded TrueType subset with /ToUnicode
    maps reads exactly; the same bytes with the maps blanked are garbage to any extractor."""
    fig = load_fixture_figures("truetype_subset.figures.json")
    data = (FIXTURES / "truetype_subset.pdf").read_bytes()
    rendered = RenderedPdf(data, fig, PdfOptions(), {}, {}, 0)
    report = parse_report(data, "truetype_subset.pdf")
    errors = [e for e in pdf_errors(rendered, "truetype", report) if "drawn on page" not in e]
    assert not errors, errors
    assert {f.page for f in report.applications} <= {1, 2}

    stripped = parse_report((FIXTURES / "no_unicode_map.pdf").read_bytes(), "no_unicode_map.pdf")
    assert stripped.status == "rejected"
    assert (stripped.status_reason or "").startswith("PDF text unreadable"), stripped.status_reason


def test_generated_pdfs_are_reproducible() -> None:
    for variant in ("plain", "encrypted_owner", "scanned"):
        assert _rendered(BASE_SEED, variant).data == _rendered(BASE_SEED, variant).data


# ---------------------------------------------------------------------------- the property
def _property_case(seed: int) -> tuple[RenderedPdf, str]:
    """Any mix of options and noise; figures that break the identities or print blanks too."""
    rng = random.Random(f"pdf-property:{seed}")
    fig = random_figures(rng, rng.choice(("2021", "2021", "2019")))
    if rng.random() < 0.25:
        fig = break_identities(fig, rng)
    if rng.random() < 0.25:
        fig = with_blanks(fig, rng)
    options = random_options(rng)
    return render_pdf(fig, rng, options), f"seed={seed} options={options.tags()}"


def test_generated_pdf_is_exact_or_not_parsed() -> None:
    """A generated PDF (any mix of options and noise, figures that break the identities or
    print blank cells) is read exactly, or it is `partial`/`rejected`: never `parsed` with a
    wrong figure, agency or year. And a `partial` report returns no figure but a printed
    one (what it cannot place it leaves out)."""
    wrong, statuses = [], set()
    for k in range(PROPERTY_SEEDS):
        rendered, label = _property_case(BASE_SEED + 10_000 + k)
        report = parse_report(rendered.data, "property.pdf")
        statuses.add(report.status)
        fig = rendered.figures
        got = {key: fact.value for key, fact in read_cells(report).items()}
        want = printed_cells(fig)
        bad = {k: (v, want.get(k, "not printed")) for k, v in got.items() if want.get(k, v) != v}
        bad |= {k: (v, "not printed") for k, v in got.items() if k not in want}
        if report.status == "parsed":
            bad |= {k: ("missing", v) for k, v in want.items() if k not in got}
            if report.agency != fig.agency or report.year != fig.year:
                bad["agency/year"] = ((report.agency, report.year), (fig.agency, fig.year))
        if bad:
            wrong.append(f"{label} ({report.status}): (got, printed) {dict(list(bad.items())[:4])}")
    assert not wrong, "wrong values returned:\n" + "\n".join(wrong)
    assert "parsed" in statuses
