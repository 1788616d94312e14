"""The three real PDFs (tests/fixtures/reports/corpus/pdf): read from the PDF itself, every
figure equals its hand-read figures (tests/expected/corpus__pdf__*.json, the same report's
derived text) — that part runs in test_parser_real_reports with every real report. Here:
where each figure was printed (page, line on the page), and what a PDF producer or a
scraper may do to the same file without changing what it prints."""

from __future__ import annotations

import json
import re

import pypdfium2 as pdfium
import pytest

from parsers import parse_report
from parsers.pdf_text import pdf_text
from tests.conftest import EXPECTED, shared_path

STEMS = ["huaian_city_2024", "huaian_hongze_district_2023", "huaian_hongze_district_2024"]


def _pdf(stem: str) -> bytes:
    return shared_path(f"corpus/pdf/{stem}.pdf").read_bytes()


def _expected(stem: str) -> dict:
    return json.loads((EXPECTED / f"corpus__pdf__{stem}.pdf.json").read_text("utf-8"))


def _facts(report) -> dict:
    return {
        **{f"applications/{f.category}/{f.applicant_type}": f for f in report.applications},
        **{f"active_disclosure/{f.item}/{f.measure}": f for f in report.active_disclosure},
        **{f"review_litigation/{f.proceeding}/{f.outcome}": f for f in report.review_litigation},
    }


def _figures(report) -> dict:
    return {key: fact.value for key, fact in _facts(report).items()}


@pytest.mark.parametrize("stem", STEMS)
def test_each_figure_names_its_page_and_its_line_on_that_page(stem: str) -> None:
    report = parse_report(_pdf(stem), stem)
    assert (report.input_kind, report.status, report.encoding) == ("pdf", "parsed", None)
    facts = _facts(report)
    pages = _expected(stem)["pages"]
    assert len(pages) > 40
    for key, page in pages.items():
        assert facts[key].page == page, key
    # the line on the page holds the printed figure
    extracted = pdf_text(_pdf(stem))
    lines = extracted.text.split("\n")
    starts = extracted.page_starts
    for key, fact in facts.items():
        assert fact.page is not None and 1 <= fact.page <= len(starts), key
        line = lines[starts[fact.page - 1] - 1 + fact.line - 1]
        assert fact.raw in line.split(), (key, fact.raw, line)


@pytest.mark.parametrize("stem", STEMS)
def test_page_footers_are_not_cells_and_never_glue_to_a_figure(stem: str) -> None:
    extracted = pdf_text(_pdf(stem))
    # PDFium's stream order puts "- 3 -" right after the page's last figure ("9487- 3 -");
    # lines rebuilt from positions keep each footer on a line of its own
    lines = extracted.text.split("\n")
    assert len(extracted.page_starts) >= 5
    assert not [ln for ln in lines if re.search(r"-\s*\d+\s*-", ln)]  # each footer blanked
    last_lines = [lines[start - 2] for start in extracted.page_starts[1:]]  # (before the gap)
    assert last_lines == [""] * len(last_lines)
    report = parse_report(_pdf(stem), stem)
    assert not [f for f in _facts(report).values() if "-" in f.raw]


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_a_rotated_page_reads_the_same(rotation: int) -> None:
    """/Rotate only turns how a page is shown; the characters stay where they are."""
    stem = STEMS[2]
    doc = pdfium.PdfDocument(_pdf(stem))
    for page in doc:
        page.set_rotation(rotation)
    import io

    buffer = io.BytesIO()
    doc.save(buffer)
    turned = parse_report(buffer.getvalue(), stem)
    plain = parse_report(_pdf(stem), stem)
    assert turned.status == "parsed"
    assert _figures(turned) == _figures(plain)


def test_text_drawn_turned_on_the_page_is_read_upright() -> None:
    """A landscape table drawn turned by 90° (the characters advance up the page) gives
    the same text as drawn upright: the reading direction comes from the characters."""
    from parsers.pdf_text import _Char, _lines_of, _upright

    upright = [_Char(ch, 10.0 * i, 10.0 * i + 9, 100, 109) for i, ch in enumerate("自然人 5")]
    upright += [_Char(ch, 10.0 * i, 10.0 * i + 9, 80, 89) for i, ch in enumerate("总计 12")]
    # turned 90° counter-clockwise: x → y, y → -x
    turned = [_Char(c.ch, -c.top, -c.bottom, c.left, c.right) for c in upright]
    assert _lines_of(_upright(turned, "up"), None) == ["自然人 5", "总计 12"]
    assert _lines_of(upright, None) == ["自然人 5", "总计 12"]


@pytest.mark.parametrize(
    ("prefix", "name"),
    [
        (b"", "report.html"),
        (b"\xef\xbb\xbf\r\n", "report"),
        (b"garbage before the header\n", "a.doc"),
    ],
)
def test_a_pdf_is_told_by_its_bytes_not_its_name(prefix: bytes, name: str) -> None:
    report = parse_report(prefix + _pdf(STEMS[1]), name)
    assert (report.input_kind, report.status, report.agency) == (
        "pdf",
        "parsed",
        "淮安市洪泽区人民政府",
    )


def test_a_pdf_of_images_only_is_rejected_as_scanned() -> None:
    doc = pdfium.PdfDocument.new()
    doc.new_page(595, 842)
    import io

    buffer = io.BytesIO()
    doc.save(buffer)
    report = parse_report(buffer.getvalue(), "scan.pdf")
    assert report.status == "rejected"
    assert report.status_reason.startswith("scanned PDF: no text layer")


@pytest.mark.parametrize(
    ("cut", "reason"),
    [(200, "damaged PDF"), (40, "damaged PDF")],
)
def test_a_damaged_pdf_is_rejected_saying_so(cut: int, reason: str) -> None:
    report = parse_report(_pdf(STEMS[0])[:cut], "cut.pdf")
    assert report.status == "rejected" and report.input_kind == "pdf"
    assert report.status_reason.startswith(reason), report.status_reason


def test_two_figures_printed_close_are_two_cells_where_a_ruling_runs_between() -> None:
    from parsers.pdf_text import _Char, _join, _Rulings

    def line(gap: float) -> list[_Char]:
        return [
            _Char("3", 0.0, 5.0, 0, 10),
            _Char("1", 5.0, 10.0, 0, 10),
            _Char("0", 10.0 + gap, 15.0 + gap, 0, 10),
        ]

    ruled = _Rulings(None, [(10.8, 0.0, 10.0)])  # a cell border between 31 and 0
    unruled = _Rulings(None, [(40.0, 0.0, 10.0)])
    assert _join(line(1.5), 10.0, ruled) == "31 0"
    assert _join(line(1.5), 10.0, unruled) == "310"  # no border there: one number
    assert _join(line(1.5), 10.0, None) == "310"
    assert _join(line(4.0), 10.0, None) == "31 0"  # a wide gap is a space anyway
    assert _join(line(0.0), 10.0, ruled) == "310"  # touching glyphs are one number


def test_the_rulings_of_a_real_table_page_are_found() -> None:
    """The vertical borders of table 3 on a real PDF's page (drawn as thin paths): PDFium's
    rotated bounds give nothing for a path, so an earlier reader found none at all."""
    import pypdfium2 as pdfium

    from parsers.pdf_text import _vertical_rulings

    doc = pdfium.PdfDocument(_pdf("huaian_city_2024"))
    try:
        per_page = [sorted(x for x, _, _ in _vertical_rulings(doc[i])) for i in range(len(doc))]
        width = doc[3].get_width()
    finally:
        doc.close()
    assert [len(xs) > 0 for xs in per_page] == [False, False, True, True, True, False]
    assert all(0 < x < width for x in per_page[3])
    assert len(per_page[3]) >= 9  # (table 3: label columns and seven figure columns)


def test_a_page_number_set_apart_is_blanked_and_a_last_figure_is_kept() -> None:
    from parsers.pdf_text import _blank_page_numbers, _Char

    def row(text: str, y: float) -> list[_Char]:
        return [_Char(ch, 10.0 * i, 10.0 * i + 9, y, y + 10) for i, ch in enumerate(text)]

    body = row("总计", 300) + row("0", 288)  # a table's last row: one figure, next line
    lines = ["总计", "0", "3"]
    _blank_page_numbers(lines, body + row("3", 40))  # the page number, far below
    assert lines == ["总计", "0", ""]
    lines = ["总计", "0"]
    _blank_page_numbers(lines, body)
    assert lines == ["总计", "0"]


# ---------------------------------------------------------------------------- ruled rows
def _chars(cells: list[tuple[float, str]], y: float = 0.0, width: float = 9.0) -> list:
    """Characters of one printed line: each text starts at its x, 10 points a character
    (its glyph `width` wide: 10 for glyphs that touch)."""
    from parsers.pdf_text import _Char

    out = []
    for x, text in cells:
        for i, ch in enumerate(text):
            out.append(_Char(ch, x + 10.0 * i, x + 10.0 * i + width, y, y + 10))
    return out


def _ruled(line: list, rulings) -> str | None:
    """What `_lines_of` writes for a line that holds a figure and a gap, if not its text."""
    from parsers.pdf_text import _join, _ruled_row, _runs

    return _ruled_row(line, _runs(line, _join(line, 10.0, rulings)), 10.0, rulings)


#: A ruled table 3 row: label column 0–100, then seven figure columns 40 points wide.
_T3_RULES = [(0.0, -5.0, 15.0), (100.0, -5.0, 15.0)] + [
    (100.0 + 40.0 * (k + 1), -5.0, 15.0) for k in range(7)
]


def test_a_ruled_row_with_a_blank_cell_is_written_as_its_cells() -> None:
    """A blank figure cell leaves only a wider gap: between the page's rulings the row is
    its cells, the blank an empty field (read as null, not closed up)."""
    from parsers.pdf_text import _Rulings

    rulings = _Rulings(None, _T3_RULES)
    line = _chars([(5, "予以公开"), (110, "3"), (190, "1"), (350, "4")])
    assert _ruled(line, rulings) == "予以公开\t3\t\t1\t\t\t\t4"
    # a row of figures whose label wrapped onto another line: every ruled cell a value
    assert _ruled(_chars([(110, "3"), (350, "3")]), rulings) == "\t3\t\t\t\t\t\t3"


def test_rows_the_rulings_do_not_settle_are_joined_by_gaps() -> None:
    from parsers.pdf_text import _join, _Rulings

    rulings = _Rulings(None, _T3_RULES)
    full = _chars([(5, "予以公开")] + [(110 + 40 * k, "1") for k in range(7)])
    assert _ruled(full, rulings) is None  # every cell printed: as before
    assert _join(full, 10.0, rulings) == "予以公开 1 1 1 1 1 1 1"
    two_in_one = _chars([(5, "予以公开"), (105, "1"), (125, "2"), (350, "3")])
    assert _ruled(two_in_one, rulings) is None  # a ruling between them not found
    beside = _chars([(5, "予以公开"), (110, "3"), (400, "注")])
    assert _ruled(beside, rulings) is None  # text beyond the table's last ruling
    elsewhere = _chars([(5, "予以公开"), (110, "3")], y=100.0)
    assert _ruled(elsewhere, rulings) is None  # no ruling runs at its height
    assert _ruled(_chars([(5, "说明"), (110, "第")]), rulings) is None  # no figure


def test_a_ruling_drawn_through_a_printed_figure_settles_nothing() -> None:
    """A column line drawn the whole height of a table runs through a merged cell: a figure
    printed across it is one figure, not two cells (the row is joined by gaps as before)."""
    from parsers.pdf_text import _Rulings

    rulings = _Rulings(None, _T3_RULES)
    across = _chars([(5, "行政许可"), (125, "1234"), (350, "5")], width=10.0)  # x 125–165
    assert _ruled(across, rulings) is None
    apart = _chars([(5, "行政许可"), (105, "12"), (145, "34"), (350, "5")], width=10.0)
    assert _ruled(apart, rulings) == "行政许可\t12\t34\t\t\t\t\t5"
