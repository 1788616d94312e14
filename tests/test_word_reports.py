"""Word reports: `.docx` (python-docx), and Word 97-2003 `.doc` / WPS `.wps` (OLE2).

Filled copies of the official 2021 template (reportgen/word_reports.py) must parse back
exactly: status `parsed`, agency, year and every cell of tables 2-4 as printed (None where
printed blank), input kind `docx`, layout `word_table`, each fact's line a row holding its
raw text. The committed `.doc`/`.wps` fixtures (tests/fixtures/word/, LibreOffice
conversions of filled reports; no LibreOffice needed here) must parse exactly to their
recorded figures, and give the same rows as the `.docx` they were converted from. Damaged,
encrypted and foreign files must be refused with a reason naming what they are, never an
exception, and in bounded time.
"""

from __future__ import annotations

import dataclasses
import io
import json
import random
import struct
import time
import zipfile
from functools import cache
from pathlib import Path

import olefile
import pytest

from parsers import parse_report
from parsers import word_doc as word_doc_module
from parsers import word_docx as word_docx_module
from parsers.html_grid import rows_from_html
from parsers.inputs import UnreadableInput
from parsers.word_doc import rows_from_doc
from parsers.word_docx import rows_from_docx
from reportgen.generator import Figures, Noise, printed_cells, read_cells
from reportgen.word_reports import (
    DOC_FIXTURES,
    FIXTURES,
    LINK_SENTENCE,
    TEMPLATE,
    WPS_FIXTURE,
    WordStyle,
    filled_docx,
    random_style,
    word_figures,
)

_EXPECTED = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
_DOC_PREFIXES = ("Word 97-2003 document (.doc) unreadable", "OLE2 compound file unreadable")


# ---------------------------------------------------------------------------- helpers
def round_trip_errors(fig: Figures, data: bytes, kind: str) -> list[str]:
    """Everything about the parsed report that is not exactly what `fig` prints."""
    report = parse_report(data)
    errors = []
    if report.status != "parsed":
        errors.append(f"status {report.status}: {report.status_reason}")
    if report.input_kind != kind:
        errors.append(f"input_kind {report.input_kind}")
    if report.layout != "word_table":
        errors.append(f"layout {report.layout}")
    if (report.agency, report.year, report.format_version) != (fig.agency, fig.year, "2021"):
        errors.append(f"read {report.agency} {report.year} {report.format_version}")
    want = printed_cells(fig)
    got = read_cells(report)
    for key, value in want.items():
        fact = got.get(key)
        if fact is None:
            errors.append(f"{'/'.join(key)} missing, printed {value!r}")
        elif fact.value != value:
            errors.append(f"{'/'.join(key)} = {fact.value!r} (raw {fact.raw!r}), printed {value!r}")
    errors += [f"{'/'.join(k)} not printed" for k in sorted(set(got) - set(want))]
    rows = rows_from_docx(data) if kind == "docx" else rows_from_doc(data)
    printed: dict[int, str] = {}
    for row in rows:
        printed[row.line] = printed.get(row.line, "") + "|".join(c.text for c in row.cells)
    for fact in report.applications + report.active_disclosure + report.review_litigation:
        if fact.raw and fact.raw not in printed.get(fact.line, ""):
            errors.append(f"{fact!r}: line {fact.line} does not print its raw text")
    return errors


def _cells(rows) -> list[list[tuple[str, int, int, int]]]:
    return [[(c.text, c.line, c.rowspan, c.colspan) for c in row.cells] for row in rows]


def _fixture_figures(name: str) -> Figures:
    return Figures(**_EXPECTED[name]["figures"])


@cache
def _fixture(name: str) -> bytes:
    path = FIXTURES / name
    if not path.exists():  # a missing fixture is a failure, never a skip
        pytest.fail(f"fixture {path} is missing (tests/fixtures/word/ is in the repository)")
    return path.read_bytes()


@cache
def _filled(seed: int) -> tuple[Figures, WordStyle, bytes]:
    rng = random.Random(seed)
    fig = word_figures(rng)
    style = random_style(rng)
    return fig, style, filled_docx(fig, rng=rng, style=style)


def _rezip(data: bytes, replace: dict[str, bytes | None]) -> bytes:
    """The same ZIP with members replaced (None: removed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            if info.filename in replace:
                if replace[info.filename] is not None:
                    zout.writestr(info.filename, replace[info.filename], zipfile.ZIP_DEFLATED)
            else:
                zout.writestr(info, zin.read(info))
    return out.getvalue()


def _refused(data: bytes) -> str:
    report = parse_report(data)
    assert report.status == "rejected", (report.status, report.status_reason)
    assert not report.applications and not report.active_disclosure
    assert "internal parser error" not in (report.status_reason or "")
    return report.status_reason or ""


# ---------------------------------------------------------------------------- .docx
@pytest.mark.parametrize("seed", range(10))
def test_filled_docx_round_trips(seed: int) -> None:
    fig, style, data = _filled(seed)
    assert round_trip_errors(fig, data, "docx") == [], style


STYLES = {
    "split_continue": WordStyle(split_table3_after=6, split_merge="continue"),
    "split_restart": WordStyle(split_table3_after=20, split_merge="restart", blank="clear"),
    "framed": WordStyle(framed=True, split_table3_after=12, title="two_paragraphs"),
    "links_and_controls": WordStyle(links=True, content_controls=True, blank="ideographic"),
    "noisy_figures": WordStyle(
        noise=Noise(fullwidth=True, units=True, thousands=True, odd_spaces=True),
        extra_paragraph=True,
        title="line_break",
    ),
}


@pytest.mark.parametrize("name", sorted(STYLES))
def test_every_word_producer_variant_round_trips(name: str) -> None:
    rng = random.Random(f"style:{name}")
    fig = word_figures(rng, blanks=True)
    assert fig.has_blanks()
    data = filled_docx(fig, rng=rng, style=STYLES[name])
    assert round_trip_errors(fig, data, "docx") == []


def test_a_figure_changed_in_the_file_is_caught() -> None:
    """The round-trip check can fail: one figure written differently is reported."""
    fig, _, data = _filled(3)
    wrong = fig.copy()
    wrong.table4[2] = (wrong.table4[2] or 0) + 1
    errors = round_trip_errors(wrong, data, "docx")
    assert len(errors) == 1 and errors[0].startswith("t4/review/other = "), errors


def test_template_rows_print_each_merged_cell_once() -> None:
    """The blank template's grid, as the HTML reader gives a rowspan/colspan table: each
    merged cell once (first row and column it covers, with its spans), header labels broken
    over two lines read as one, lines = ordinal of the body paragraph / table row."""
    rows = {row.line: row for row in rows_from_docx(TEMPLATE.read_bytes())}
    assert [c.text for c in rows[2].cells] == ["政府信息公开工作年度报告格式模板"]
    assert _cells([rows[10]]) == [[("第二十条第(一)项", 10, 1, 4)]]
    assert _cells([rows[15], rows[16]]) == [
        [("信息内容", 15, 1, 1), ("本年处理决定数量", 15, 1, 3)],
        [("行政许可", 16, 1, 1), ("", 16, 1, 3)],
    ]
    note = "(本列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)"
    assert _cells([rows[36], rows[37]]) == [
        [(note, 36, 3, 3), ("申请人情况", 36, 1, 7)],
        [("自然人", 37, 2, 1), ("法人或其他组织", 37, 1, 5), ("总计", 37, 2, 1)],
    ]
    assert [c.text for c in rows[38].cells] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]  # fmt: skip
    assert _cells([rows[41]])[0][:2] == [
        ("三、本年度办理结果", 41, 22, 1),
        ("(一)予以公开", 41, 1, 2),
    ]
    assert [c.text for c in rows[41].cells[2:]] == [""] * 7
    assert [c.text for c in rows[44].cells] == ["2.其他法律行政法规禁止公开"] + [""] * 7
    # table 4's header, against the HTML reader on the same grid
    html = (
        "<table><tr><td colspan=5>行政复议</td><td colspan=10>行政诉讼</td></tr><tr>"
        + "".join(f"<td rowspan=2>{t[:2]}<br>{t[2:]}</td>" for t in ("结果维持", "结果纠正", "其他结果", "尚未审结"))
        + "<td rowspan=2>总计</td><td colspan=5>未经复议直接起诉</td><td colspan=5>复议后起诉</td></tr><tr>"
        + "".join(f"<td>{t[:2]}<br>{t[2:]}</td>" for t in ("结果维持", "结果纠正", "其他结果", "尚未审结"))
        + "<td>总计</td>" * 1
        + "".join(f"<td>{t[:2]}<br>{t[2:]}</td>" for t in ("结果维持", "结果纠正", "其他结果", "尚未审结"))
        + "<td>总计</td></tr></table>"
    )  # fmt: skip
    html_rows = [[c.text for c in row.cells] for row in rows_from_html(html)]
    assert [[c.text for c in rows[n].cells] for n in (69, 70, 71)] == html_rows
    assert html_rows[1][:5] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    assert [(c.rowspan, c.colspan) for c in rows[70].cells] == [(2, 1)] * 5 + [(1, 5)] * 2
    assert [c.text for c in rows[72].cells] == [""] * 15
    # paragraphs in document order, between the tables
    order = [row.text for row in rows.values() if not row.explicit]
    assert order.index("二、主动公开政府信息情况") < order.index(
        "三、收到和处理政府信息公开申请情况"
    )
    assert min(rows) == 2 and rows[7].text == "二、主动公开政府信息情况"


def test_the_blank_template_is_not_parsed() -> None:
    """The template holds no figure: every cell it reads is blank, and the report says so."""
    report = parse_report(TEMPLATE.read_bytes())
    assert report.status == "partial"
    assert report.status_reason == (
        "table 4: no values found; agency not found; covered year not found"
    )
    assert (report.input_kind, report.layout, report.format_version) == ("docx", "word_table", "2021")  # fmt: skip
    assert (report.agency, report.year) == (None, None)
    facts = report.applications + report.active_disclosure + report.review_litigation
    assert len(report.applications) == 25 * 7 and len(report.active_disclosure) == 10
    assert report.review_litigation == []
    assert {f.value for f in facts} == {None}


def test_links_and_field_codes_print_their_text_only() -> None:
    rng = random.Random(5)
    fig = word_figures(rng)
    data = filled_docx(fig, rng=rng, style=WordStyle(links=True))
    sentence = "".join(LINK_SENTENCE).replace("，", ",")
    assert sentence in [row.text for row in rows_from_docx(data)]


# ---------------------------------------------------------------------------- damaged .docx
def test_damaged_docx_is_refused_naming_the_type() -> None:
    _, _, data = _filled(1)
    for cut in (200, len(data) // 3, len(data) // 2, len(data) - 30):
        reason = _refused(data[:cut])
        if b"word/document.xml" in data[:cut]:  # (else the bytes no longer say "Word")
            assert reason.startswith("Word document (.docx) unreadable: damaged ZIP"), reason
        else:
            assert reason == "archive: damaged ZIP archive"
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        info = zf.getinfo("word/document.xml")
        xml = zf.read(info)
    # bytes flipped inside the compressed document.xml
    at = info.header_offset + 30 + len(info.filename) + len(info.extra) + info.compress_size // 2
    flipped = data[:at] + bytes(b ^ 0x5A for b in data[at : at + 8]) + data[at + 8 :]
    assert _refused(flipped).startswith("Word document (.docx) unreadable: damaged ZIP (")
    # the document part removed: the container is no longer a Word file at all
    removed = _rezip(data, {"word/document.xml": None})
    assert _refused(removed).startswith("archive: ZIP archive of ")
    with pytest.raises(UnreadableInput, match=r"^Word document \(\.docx\) unreadable: word/document\.xml missing$"):  # fmt: skip
        rows_from_docx(removed)
    # broken XML
    bad = _rezip(data, {"word/document.xml": xml[: len(xml) // 2]})
    assert _refused(bad).startswith(
        "Word document (.docx) unreadable: bad XML in word/document.xml"
    )
    # no body
    empty = _rezip(data, {"word/document.xml": b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'})  # fmt: skip
    assert _refused(empty) == "Word document (.docx) unreadable: no document body"


def test_a_docx_zip_bomb_is_refused_before_it_is_inflated() -> None:
    _, _, data = _filled(2)
    huge = b"<w:document>" + b" " * (word_docx_module.MAX_DOCUMENT_XML + 10)
    bomb = _rezip(data, {"word/document.xml": huge})
    del huge
    assert len(bomb) < 200_000
    started = time.monotonic()
    reason = _refused(bomb)
    assert time.monotonic() - started < 2
    assert reason.startswith("Word document (.docx) unreadable: word/document.xml is 52,428,8")
    assert reason.endswith("a ZIP bomb?)")


def test_docx_work_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    _, _, data = _filled(6)
    assert len(rows_from_docx(data)) > 60
    monkeypatch.setattr(word_docx_module, "MAX_ELEMENTS", 300)
    with pytest.raises(UnreadableInput, match=r"unreadable: over 300 paragraphs and table cells$"):
        rows_from_docx(data)
    monkeypatch.setattr(word_docx_module, "MAX_DOCUMENT_XML", 10_000)
    with pytest.raises(UnreadableInput, match=r"\(over 10,000; a ZIP bomb\?\)$"):
        rows_from_docx(data)


def _flipped(data: bytes, rng: random.Random, most: int) -> bytes:
    """`data` with 1 to `most` bytes overwritten at random places."""
    mutated = bytearray(data)
    for _ in range(rng.randint(1, most)):
        mutated[rng.randrange(len(mutated))] = rng.randrange(256)
    return bytes(mutated)


def test_mutated_docx_never_raises() -> None:
    _, _, data = _filled(4)
    rng = random.Random(14)
    for _ in range(30):
        mutated = _flipped(data, rng, 8)
        report = parse_report(bytes(mutated))
        assert report.status in ("parsed", "partial", "rejected")
        assert "internal parser error" not in (report.status_reason or "")
        try:
            rows_from_docx(bytes(mutated))
        except UnreadableInput as exc:
            assert str(exc).startswith("Word document (.docx) unreadable: ")


# ---------------------------------------------------------------------------- .doc / .wps
DOC_NAMES = sorted(_EXPECTED)


def test_every_doc_fixture_is_listed() -> None:
    assert DOC_NAMES == sorted(
        f"{name}.{'wps' if name == WPS_FIXTURE else 'doc'}" for name in DOC_FIXTURES
    )
    assert all(_fixture(name)[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" for name in DOC_NAMES)
    assert any(_fixture_figures(name).has_blanks() for name in DOC_NAMES)


@pytest.mark.parametrize("name", DOC_NAMES)
def test_doc_fixture_parses_exactly(name: str) -> None:
    fig = _fixture_figures(name)
    assert round_trip_errors(fig, _fixture(name), "doc") == []


@pytest.mark.parametrize("name", DOC_NAMES)
def test_doc_rows_are_the_rows_of_the_docx_it_was_made_from(name: str) -> None:
    """Paragraphs, cells, merged cells (spans), nested layout tables and line numbers read
    from the Word binary format are those read from the .docx LibreOffice converted."""
    doc_rows = _cells(rows_from_doc(_fixture(name)))
    docx_rows = _cells(rows_from_docx(_fixture(_EXPECTED[name]["source"])))
    assert doc_rows == docx_rows
    assert len(doc_rows) > 60


def test_doc_fixtures_cover_the_hard_parts() -> None:
    styles = {name: _EXPECTED[name]["style"] for name in DOC_NAMES}
    assert any(s["framed"] for s in styles.values())  # a nested (layout) table
    assert any(s["links"] for s in styles.values())  # field codes (HYPERLINK)
    assert any(s["split_table3_after"] is not None for s in styles.values())
    rows = rows_from_doc(_fixture("split_table_links.doc"))
    assert "".join(LINK_SENTENCE).replace("，", ",") in [row.text for row in rows]
    assert not any("HYPERLINK" in row.text for row in rows)
    merged = [c for row in rows for c in row.cells if c.rowspan > 1]
    assert ("三、本年度办理结果", 10) in [(c.text, c.rowspan) for c in merged]


def test_the_encrypted_doc_is_refused() -> None:
    report = parse_report(_fixture("encrypted.doc"))
    assert (report.status, report.input_kind) == ("rejected", "ole2")
    assert report.status_reason == "encrypted Word document (.doc): needs a password"


def test_an_excel_workbook_is_refused_naming_its_type() -> None:
    report = parse_report(_fixture("workbook.xls"))
    assert (report.status, report.input_kind) == ("rejected", "ole2")
    assert report.status_reason == "OLE2 file (Excel 97-2003 workbook), not a Word document"


def _renamed(data: bytes, old: str, new: str) -> bytes:
    """The compound file with a directory entry renamed (its name and name length)."""
    at = data.index(old.encode("utf-16-le") + b"\0\0")
    entry = new.encode("utf-16-le").ljust(64, b"\0") + struct.pack("<H", 2 * len(new) + 2)
    return data[:at] + entry + data[at + 66 :]


def test_other_ole2_files_are_refused_naming_their_type() -> None:
    data = _fixture("printed_noise.doc")
    ppt = _renamed(data, "WordDocument", "PowerPoint Document")
    assert _refused(ppt) == "OLE2 file (PowerPoint 97-2003 presentation), not a Word document"
    unlisted = _renamed(data, "WordDocument", "Foo")  # (its FIB and 1Table still say Word)
    assert _refused(unlisted) == (
        "Word 97-2003 document (.doc) unreadable: damaged OLE2 container "
        "(its WordDocument stream is not listed)"
    )
    other = _renamed(_fixture("workbook.xls"), "Workbook", "Foo")
    assert _refused(other) == (
        "OLE2 file with no WordDocument stream (streams: CompObj, DocumentSummaryInformation, "
        "Foo, Ole, SummaryInformation), not a Word document"
    )
    package = _renamed(_renamed(data, "WordDocument", "EncryptedPackage"), "1Table", "EncryptionInfo")  # fmt: skip
    assert _refused(package).startswith("encrypted Office document (OLE2 EncryptedPackage")


def _fib_at(data: bytes) -> int:
    """File offset of the FIB (the first sector of the WordDocument stream)."""
    ole = olefile.OleFileIO(io.BytesIO(data))
    entry = ole.direntries[ole._find("WordDocument")]
    return (entry.isectStart + 1) * ole.sectorsize


def _patched(data: bytes, at: int, fmt: str, value: int) -> bytes:
    size = struct.calcsize(fmt)
    return data[:at] + struct.pack(fmt, value) + data[at + size :]


def test_fib_damage_and_old_formats_are_named() -> None:
    data = _fixture("printed_noise.doc")
    fib = _fib_at(data)
    flags = struct.unpack_from("<H", data, fib + 0x0A)[0]
    encrypted = _patched(data, fib + 0x0A, "<H", flags | 0x0100)
    assert _refused(encrypted) == "encrypted Word document (.doc): needs a password"
    word95 = _patched(data, fib + 2, "<H", 104)
    assert _refused(word95) == (
        "Word 6.0/95 document (.doc, nFib 104): the pre-97 binary format is not read"
    )
    assert _refused(_patched(data, fib, "<H", 0x1234)) == (
        "Word 97-2003 document (.doc) unreadable: no Word FIB (wIdent 0x1234)"
    )
    other_table = _patched(data, fib + 0x0A, "<H", flags ^ 0x0200)
    assert _refused(other_table) == (
        "Word 97-2003 document (.doc) unreadable: its table stream 0Table is missing"
    )
    # fcClx/lcbClx (FibRgFcLcb97 pair 33) pointing outside the table stream
    clx = fib + 0x1A2
    assert _refused(_patched(data, clx + 4, "<I", 0x7FFFFFF0)) == (
        "Word 97-2003 document (.doc) unreadable: no piece table (CLX outside the table stream)"
    )
    # fcPlcfBtePapx/lcbPlcfBtePapx (pair 13): no paragraph properties, so no table structure
    bte = fib + 154 + 13 * 8
    assert _refused(_patched(data, bte + 4, "<I", 0)) == (
        "Word 97-2003 document (.doc) unreadable: its tables' structure is unreadable "
        "(no paragraph properties)"
    )


def test_truncated_doc_is_refused_naming_the_type() -> None:
    data = _fixture("split_table_links.doc")
    fib = _fib_at(data)
    for cut in (600, fib - 100, fib + 700, len(data) // 2, len(data) - 200):
        reason = _refused(data[:cut])
        assert reason.startswith(_DOC_PREFIXES), reason
        if cut > fib:  # the FIB is there: the reason says it is a Word document
            assert reason.startswith(_DOC_PREFIXES[0]), reason


def test_mutated_doc_never_raises() -> None:
    rng = random.Random(41)
    for name in ("framed_nested.doc", "printed_noise.doc"):
        data = _fixture(name)
        for _ in range(25):
            mutated = _flipped(data, rng, 12)
            report = parse_report(bytes(mutated))
            assert report.status in ("parsed", "partial", "rejected")
            assert "internal parser error" not in (report.status_reason or "")


def test_doc_work_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    data = _fixture("wps_copy.wps")
    monkeypatch.setattr(word_doc_module, "MAX_TEXT_CHARS", 1000)
    with pytest.raises(UnreadableInput, match=r"characters of text \(over 1,000\)$"):
        rows_from_doc(data)
    monkeypatch.setattr(word_doc_module, "MAX_TEXT_CHARS", 20_000_000)
    monkeypatch.setattr(word_doc_module, "MAX_PARAGRAPHS", 100)
    with pytest.raises(UnreadableInput, match=r"paragraphs \(over 100\)$"):
        rows_from_doc(data)
    monkeypatch.setattr(word_doc_module, "MAX_PARAGRAPHS", 200_000)
    monkeypatch.setattr(word_doc_module, "MAX_PROPERTY_BYTES", 2000)
    with pytest.raises(UnreadableInput, match=r"bytes of paragraph properties$"):
        rows_from_doc(data)


def test_short_ole2_bytes_are_never_taken_for_a_file_name() -> None:
    """olefile reads bytes shorter than 1536 as a file *name*: the reader must not."""
    magic = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    for data in (magic, magic + b"\0" * 500, magic + b"/etc/passwd"):
        reason = _refused(data)
        assert reason.startswith("OLE2 compound file unreadable: damaged OLE2 container"), reason


def test_field_codes_and_control_characters() -> None:
    """Field code out, its result kept (nested fields too, a field without a result
    printing nothing); line breaks break lines; other control characters dropped."""
    builder = word_doc_module._Builder("", [], None)
    clean = builder._clean
    assert clean('见\x13 HYPERLINK "http://a" \x14网站\x15。') == "见网站。"
    assert clean("\x13 IF \x13 PAGE \x14 3\x15 \x14结果\x15") == "结果"
    assert clean("a\x13 SEQ Table \x15b") == "ab"
    assert clean("第一行\x0b第二行\x0c\x01\x08\x1e") == "第一行\n第二行\n-"
    assert clean("开\x13 TOC ") == "开" and clean("仍在域代码中\r") == ""
    assert clean("\x14结果\x15后") == "结果后"  # (the open field above ends here)


def test_style_draws_are_recorded_with_the_fixtures() -> None:
    for name in DOC_NAMES:
        seed, blanks, style = DOC_FIXTURES[Path(name).stem]
        recorded = _EXPECTED[name]
        assert recorded["seed"] == seed
        assert recorded["style"] == json.loads(json.dumps(dataclasses.asdict(style)))
        assert _fixture_figures(name).has_blanks() == blanks


def test_text_offsets_stay_character_positions() -> None:
    """A character outside the BMP (rare characters of place names) is two UTF-16 units and
    two character positions: the text keeps one character per position, so the paragraph
    marks after it still find their properties, and prints the character once."""
    raw = "𬌗州市\r𠀀\x07".encode("utf-16-le") + b"\x00\xd8A\x00"  # (a lone surrogate)
    text = word_doc_module._decode_utf16(raw)
    assert len(text) == len(raw) // 2
    assert text.index("\r") == 4 and text.index("\x07") == 7 and text.endswith("\ufffdA")
    builder = word_doc_module._Builder(text, [], None)
    assert builder._clean(text[:4]) == "𬌗州市"
