"""Reports with no text to extract, read by OCR (parsers/ocr_text.py, issue 16).

The fixtures (tests/fixtures/ocr, written by bench/ocr_bench.py's `write_fixtures`) are
image-only versions of the real PDFs at 150 dpi: huaian_hongze_district_2024.pdf's page 3 as
a PNG (the end of table 2, the start of table 3) and its pages 1, 3 and 4 (title; tables 3
and 4) as a scanned PDF; huaian_city_2024.pdf's pages 4 and 5 (all of table 3, dense with
lone `0`s and `1`s; table 4) and huaian_hongze_district_2023.pdf's page 4 (table 4) as
scanned PDFs. Each is recognised once per module (OCR takes seconds a page; the whole
reports' accuracy is measured by bench/ocr_bench.py, not here). Every figure returned must
be the printed one, read by `ocr` with a confidence; what was not read is named in the
reason.
"""

from __future__ import annotations

import json
import struct
import sys
import zlib

import duckdb
import jinja2
import pytest

from bench.ocr_bench import expected_cells, report_cells
from parsers import APPLICANT_TYPES, parse_report
from tests.conftest import EXPECTED, REPO

FIXTURES = REPO / "tests" / "fixtures" / "ocr"
EXPECTED_JSON = EXPECTED / "corpus__pdf__huaian_hongze_district_2024.pdf.json"
CITY_JSON = EXPECTED / "corpus__pdf__huaian_city_2024.pdf.json"


@pytest.fixture(scope="module")
def ocr_on():
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("GOVREPORTS_OCR", raising=False)
        yield


@pytest.fixture(scope="module")
def png_report(ocr_on):
    data = (FIXTURES / "hongze_2024_p3.png").read_bytes()
    return parse_report(data, "scans/hongze_2024_p3.png")


@pytest.fixture(scope="module")
def scan_report(ocr_on):
    data = (FIXTURES / "hongze_2024_p1_p3_p4.scan.pdf").read_bytes()
    return parse_report(data, "scans/hongze_2024_p1_p3_p4.pdf")


@pytest.fixture(scope="module")
def city_report(ocr_on):
    data = (FIXTURES / "city_2024_p4_p5.scan.pdf").read_bytes()
    return parse_report(data, "scans/city_2024_p4_p5.pdf")


def _assert_figures_exact(report, at_least: int, expected=EXPECTED_JSON) -> None:
    want = expected_cells(json.loads(expected.read_text(encoding="utf-8")))
    got = report_cells(report)
    wrong = {k: (v, want.get(k)) for k, (v, _) in got.items() if v != want.get(k)}
    assert not wrong, wrong
    assert len(got) >= at_least, (len(got), report.status_reason)
    for f in report.applications + report.active_disclosure + report.review_litigation:
        assert f.method == "ocr"
        assert f.confidence is not None and 0.0 < f.confidence <= 1.0, f
        assert f.page is not None and f.line is not None


def test_a_png_of_a_table_page_is_read_by_ocr(png_report) -> None:
    report = png_report
    assert report.input_kind == "image"
    assert report.status == "partial", report.status_reason  # (one page of the report)
    assert report.warnings[0].startswith("read by OCR (scanned image, PNG image)")
    # table 2 from 第二十条第（六）项 on, table 3 down to 1.本机关不掌握相关政府信息
    _assert_figures_exact(report, at_least=90)
    assert "table 4" in (report.status_reason or "")


def test_a_scanned_pdf_is_read_by_ocr(scan_report) -> None:
    report = scan_report
    assert report.input_kind == "pdf"
    assert (report.agency, report.year) == ("淮安市洪泽区人民政府", 2024)
    assert report.status == "partial", report.status_reason  # (page 2 left out)
    assert report.warnings[0] == "read by OCR (scanned PDF: no text layer)"
    _assert_figures_exact(report, at_least=175)  # (tables 3 and 4: all 179 cells today)
    t4 = [f for f in report.review_litigation]
    assert len(t4) == 15 and {f.page for f in t4} == {3}
    assert "table 2" in report.status_reason and "table 3" not in report.status_reason
    assert report.to_dict()["review_litigation"][0]["confidence"] == t4[0].confidence


def test_a_dense_scanned_table_is_read_whole(city_report) -> None:
    """Table 3 of the city's report: 26 rows of small figures, most a lone `0` or `1`, some
    beside labels wrapped over three lines. Read before: 42 of its cells missing (the
    detector lost lone digits; a lone `1`, taller than wide, was read turned as a vertical
    label; `0` read as `o` or nothing; a label set high in its cell and its row's figures
    made two lines)."""
    report = city_report
    want = expected_cells(json.loads(CITY_JSON.read_text(encoding="utf-8")))
    got = report_cells(report)
    tables_3_4 = {k: v for k, v in want.items() if k[0] != "active_disclosure"}
    assert len(tables_3_4) == 190
    assert {k: got[k][0] for k in tables_3_4 if k in got} == tables_3_4, report.status_reason
    _assert_figures_exact(report, at_least=193, expected=CITY_JSON)
    assert "table 3" not in report.status_reason and "table 4" not in report.status_reason
    # a lone 0 is read with what it is taken for (o, O, 〇): no longer at 0.07
    lowest = min(f.confidence for f in report.applications)
    assert lowest > 0.4, lowest


def test_figures_either_side_of_a_ruling_stay_apart(ocr_on) -> None:
    """Table 4 of hongze's 2023 report prints `10 | 1 | 0` in adjacent cells; the detector
    boxes them as one, which, cut at the rulings, read `10 １ 0 …` (14 figures for 15)."""
    from parsers.ocr_text import pdf_pages_text

    ocr = pdf_pages_text((FIXTURES / "hongze_2023_p4.scan.pdf").read_bytes(), "scanned PDF")
    figures = [ln for ln in ocr.text_lines if ln.startswith("10")]
    assert figures == ["10 1 0 0 0 0 0 0 0 0 5 0 0 0 0"], figures


def _docx_with_a_picture() -> bytes:
    """A Word document whose table is a picture: a title, and the scanned page 3 of hongze's
    2024 report cut to its table 3 (to its row 本机关不掌握相关政府信息)."""
    import io

    import docx
    from docx.shared import Cm
    from PIL import Image

    picture = io.BytesIO()
    with Image.open(FIXTURES / "hongze_2024_p3.png") as page:
        page.crop((0, 750, page.width, 1650)).save(picture, "PNG")
    picture.seek(0)
    document = docx.Document()
    document.add_paragraph("淮安市洪泽区2024年政府信息公开工作年度报告")
    document.add_picture(picture, width=Cm(16))
    document.add_paragraph("五、存在的主要问题及改进情况")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_the_pictures_of_a_word_document_are_read_by_ocr(ocr_on) -> None:
    report = parse_report(_docx_with_a_picture(), "reports/hongze_2024.docx")
    assert report.input_kind == "docx"
    assert (report.agency, report.year) == ("淮安市洪泽区", 2024)  # (from its text)
    assert "read by OCR (pictures of a Word document: 1 picture(s))" in report.warnings
    assert report.status == "partial", report.status_reason  # (table 3 cut short, no 2, 4)
    _assert_figures_exact(report, at_least=84)
    assert {f.page for f in report.applications} == {1}  # (the picture's ordinal)


def test_a_word_documents_text_and_pictures_come_in_document_order() -> None:
    from parsers.word_docx import docx_pictures

    parts = docx_pictures(_docx_with_a_picture())
    assert [type(p) for p in parts] == [str, bytes, str]
    assert parts[0] == "淮安市洪泽区2024年政府信息公开工作年度报告"
    assert parts[1].startswith(b"\x89PNG") and parts[2] == "五、存在的主要问题及改进情况"
    import io

    import docx

    plain = docx.Document()
    plain.add_paragraph("no picture")
    out = io.BytesIO()
    plain.save(out)
    assert docx_pictures(out.getvalue()) == []


def test_a_word_document_of_pictures_without_ocr_is_rejected_saying_so(monkeypatch) -> None:
    monkeypatch.setenv("GOVREPORTS_OCR", "off")
    report = parse_report(_docx_with_a_picture(), "hongze_2024.docx")
    assert report.status == "rejected" and report.input_kind == "docx"
    assert report.status_reason == (
        "Word document (.docx): its tables are pictures (none in its text); OCR turned off "
        "(GOVREPORTS_OCR=off)"
    )


def test_without_the_ocr_engine_a_scan_is_rejected_saying_so(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # (its import then fails)
    monkeypatch.delenv("GOVREPORTS_OCR", raising=False)
    report = parse_report((FIXTURES / "hongze_2024_p3.png").read_bytes(), "p3.png")
    assert report.status == "rejected"
    assert report.status_reason.startswith(
        "scanned image (PNG image): no text layer to read; OCR engine (rapidocr-onnxruntime) "
        "not installed (ModuleNotFoundError: import of onnxruntime halted"
    ), report.status_reason
    pdf = parse_report((FIXTURES / "hongze_2024_p1_p3_p4.scan.pdf").read_bytes(), "scan.pdf")
    assert pdf.status == "rejected" and pdf.input_kind == "pdf"
    assert pdf.status_reason.startswith("scanned PDF: no text layer")
    assert "OCR engine (rapidocr-onnxruntime) not installed" in pdf.status_reason


def test_ocr_turned_off_is_said(monkeypatch) -> None:
    monkeypatch.setenv("GOVREPORTS_OCR", "off")
    report = parse_report((FIXTURES / "hongze_2024_p3.png").read_bytes(), "p3.png")
    assert report.status == "rejected"
    assert report.status_reason.endswith("OCR turned off (GOVREPORTS_OCR=off)")


def test_a_blank_scanned_page_is_rejected_as_scanned(ocr_on) -> None:
    import io

    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument.new()
    doc.new_page(595, 842)
    buffer = io.BytesIO()
    doc.save(buffer)
    report = parse_report(buffer.getvalue(), "blank.pdf")
    assert report.status == "rejected"
    assert report.status_reason.startswith("scanned PDF: no text layer")
    assert "OCR found no text" in report.status_reason


def test_confidence_is_the_least_sure_character_of_the_nth_figure() -> None:
    from parsers.ocr_text import OcrText

    ocr = OcrText("行 0 12 0\n", (1,), [[1.0, 0.9, 0.8, 0.7, 0.6], []])
    assert ocr.confidence_of(1, "0", 0) == 0.9
    assert ocr.confidence_of(1, "12", 0) == 0.7
    assert ocr.confidence_of(1, "0", 1) == 0.6
    assert ocr.confidence_of(2, "0", 0) is None


def _facts(rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    """A database holding `rows` as applications_all_files."""
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE applications_all_files (report_id VARCHAR, category VARCHAR, "
        "applicant_type VARCHAR, value BIGINT, raw VARCHAR, line INTEGER, method VARCHAR, "
        "page INTEGER, confidence DOUBLE, snapshot_id VARCHAR DEFAULT 's')"
    )
    con.executemany(
        "INSERT INTO applications_all_files BY POSITION VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, DEFAULT)",
        rows,
    )
    return con


def _render(template: str) -> str:
    """SQL as dbt renders it in a full build: ref() to the relation of that name, the
    project's macros (all but ref.sql, which wraps dbt's own ref)."""
    macros = "".join(
        p.read_text(encoding="utf-8")
        for p in sorted((REPO / "sql" / "macros").glob("*.sql"))
        if p.name != "ref.sql"
    )
    return (
        jinja2.Environment()
        .from_string(macros + template)
        .render(ref=lambda name: name, is_incremental=lambda: False)
    )


def _model(sql_name: str) -> str:
    return _render((REPO / "sql" / "models" / "checks" / sql_name).read_text(encoding="utf-8"))


def _check(sql_name: str, rows: list[tuple]) -> list[tuple]:
    con = _facts(rows)
    return con.execute(f"SELECT severity, detail FROM ({_model(sql_name)})").fetchall()


def test_an_identity_broken_by_an_ocr_figure_is_an_error_naming_the_cell() -> None:
    """A printed 9 in 总计 read as 6: the row total breaks, and the flag names the least sure
    cell of the row with its confidence; the figure stays as read."""
    values = [3, 1, 0, 0, 5, 0, 6]  # printed 9 in 总计
    confs = [0.99, 0.98, 0.97, 0.97, 0.99, 0.96, 0.41]
    rows = [
        ("r", "received.new", col, v, str(v), 12, "ocr", 3, c)
        for col, v, c in zip(APPLICANT_TYPES, values, confs, strict=True)
    ]
    flags = _check("chk_row_total.sql", rows)
    assert len(flags) == 1
    severity, detail = flags[0]
    assert severity == "error"
    assert "received.new/total (confidence 0.410)" in detail, detail
    # the same row read from text: no OCR words in the flag
    text_rows = [(*r[:6], "label", None, None) for r in rows]
    assert "OCR" not in _check("chk_row_total.sql", text_rows)[0][1]


#: A table 3 (2019 form) whose identities all hold: row → the six applicant columns and 总计.
TABLE_3 = {
    "received.new": [5, 2, 0, 0, 1, 0, 8],
    "received.carried_over": [1, 0, 0, 0, 0, 0, 1],
    "result.granted": [3, 1, 0, 0, 1, 0, 5],
    "result.partially_granted": [1, 0, 0, 0, 0, 0, 1],
    "result.unable.not_held": [1, 1, 0, 0, 0, 0, 2],
    "result.total": [5, 2, 0, 0, 1, 0, 8],
    "carried_forward": [1, 0, 0, 0, 0, 0, 1],
}
IDENTITY_CHECKS = (
    "chk_balance_identity",
    "chk_result_total",
    "chk_other_subtotal",
    "chk_row_total",
)


def _ocr_table_3(misread: dict[tuple[str, str], int], method: str = "ocr") -> list[tuple]:
    """TABLE_3 (the other result rows 0) as read by `method`, with `misread` cells read as
    other figures (confidence 0.41; the rest 0.99)."""
    from parsers.forms import T3_2019

    rows = []
    for line, form_row in enumerate(T3_2019, start=10):
        values = TABLE_3.get(form_row.code, [0] * 7)
        for col, value in zip(APPLICANT_TYPES, values, strict=True):
            read = misread.get((form_row.code, col), value)
            conf = (0.41 if (form_row.code, col) in misread else 0.99) if method == "ocr" else None
            page = 3 if method == "ocr" else None
            rows.append(("r", form_row.code, col, read, str(read), line, method, page, conf))
    return rows


def _ocr_fit_notes(rows: list[tuple]) -> tuple[set[str], list[tuple]]:
    """(the checks that flag `rows`, the (report_id, note) rows of ocr_one_value_fits)."""
    con = _facts(rows)
    union = " UNION ALL BY NAME ".join(
        f"SELECT * FROM ({_model(f'{m}.sql')})" for m in IDENTITY_CHECKS
    )
    con.execute(f"CREATE TABLE flags AS {union}")
    flagged = {name for (name,) in con.execute("SELECT check_name FROM flags").fetchall()}
    notes = con.execute(_render("{{ ocr_one_value_fits('flags') }}")).fetchall()
    return flagged, notes


def test_the_tables_identities_hold_before_a_misread() -> None:
    assert _ocr_fit_notes(_ocr_table_3({})) == (set(), [])


def test_one_ocr_misread_that_the_identities_pin_down_is_named_with_the_figure_that_fits() -> None:
    """A printed 5 read as 3: its row and its column break, and only that cell, read as 5,
    makes both hold. The note says so; the figure stays as read."""
    flagged, notes = _ocr_fit_notes(_ocr_table_3({("received.new", "natural_person"): 3}))
    assert flagged == {"row_total", "balance_identity"}
    assert len(notes) == 1, notes
    assert "received.new/natural_person, read as 3 (confidence 0.410); 5 there" in notes[0][1]
    # (七)总计's 总计 read 8 → 6: three identities break, each asking for 8
    flagged, notes = _ocr_fit_notes(_ocr_table_3({("result.total", "total"): 6}))
    assert flagged == {"row_total", "balance_identity", "result_total"}
    assert len(notes) == 1, notes
    assert (
        "result.total/total, read as 6 (confidence 0.410); 8 there would make them all hold"
        in (notes[0][1])
    )


def test_no_figure_is_named_when_one_misread_does_not_explain_every_broken_identity() -> None:
    two = {("received.new", "natural_person"): 3, ("result.granted", "commercial_enterprise"): 4}
    flagged, notes = _ocr_fit_notes(_ocr_table_3(two))
    assert flagged == {"row_total", "balance_identity", "result_total"}
    assert notes == []
    # the same misread, but read from text: the figure is what was printed, nothing to say
    flagged, notes = _ocr_fit_notes(
        _ocr_table_3({("received.new", "natural_person"): 3}, method="label")
    )
    assert flagged == {"row_total", "balance_identity"}
    assert notes == []
    # identities broken that the misread cell is not in: a second error, read from the
    # page's text layer as printed (no OCR candidate of its own)
    rows = _ocr_table_3({("received.new", "natural_person"): 3})
    second = ("r", "carried_forward", "total", 2, "2", 32, "label", 3, None)
    rows = [second if r[1:3] == second[1:3] else r for r in rows]
    flagged, notes = _ocr_fit_notes(rows)
    assert flagged == {"row_total", "balance_identity"}  # four flags: two rows, two columns
    assert notes == []


def test_no_figure_is_named_when_its_identities_ask_for_different_figures() -> None:
    """The row asks for 5 and the column for 6: no one figure fits both."""
    con = _facts(_ocr_table_3({("received.new", "natural_person"): 3}))
    con.execute(
        "CREATE TABLE flags (report_id VARCHAR, check_name VARCHAR, scope VARCHAR, "
        "expected DOUBLE, actual DOUBLE)"
    )
    fits = _render("{{ ocr_one_value_fits('flags') }}")
    for column_expected, notes in ((4, 1), (3, 0)):
        con.execute("DELETE FROM flags")
        con.execute(
            "INSERT INTO flags VALUES ('r', 'row_total', 'received.new', 6, 8), "
            f"('r', 'balance_identity', 'natural_person', {column_expected}, 6)"
        )
        assert len(con.execute(fits).fetchall()) == notes


def test_an_image_too_large_for_a_page_scan_is_not_decoded(ocr_on) -> None:
    """A PNG whose header claims 9,000 × 8,000 pixels (72M: more than any page scan) is
    refused from its header alone."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 9_000, 8_000, 8, 0, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )
    report = parse_report(png, "huge.png")
    assert report.status == "rejected" and report.input_kind == "image"
    assert "9000×8000 pixels, more than a page scan has" in report.status_reason
