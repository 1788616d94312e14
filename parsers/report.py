"""Entry point: bytes of one report → `Report`. Never raises on bad input."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import fields

from parsers.decode import decode
from parsers.forms import FORMAT_MARKERS, FORMS
from parsers.grid import Row, is_run_together, rows_from_lines
from parsers.html_grid import looks_like_html, rows_from_html
from parsers.inputs import UnreadableInput, sniff
from parsers.metadata import find_metadata
from parsers.model import STATUS_PARSED, STATUS_PARTIAL, STATUS_REJECTED, Report
from parsers.normalise import normalise_text
from parsers.pdf_text import NeedsOcr, pdf_text
from parsers.read import Losses, read_tables
from parsers.segment import find_sections, narrative_figures
from parsers.word_doc import rows_from_doc
from parsers.word_docx import docx_pictures, rows_from_docx

#: The release line, set by hand when what the parser promises changes (docs/PARSER.md).
PARSER_RELEASE = "0.8"  # 0.8: OCR of scans and images, method `ocr`, `confidence`


def _source_digest() -> str:
    """SHA-256 of everything that decides what the parser reads: its own source files and
    label tables (`parsers/*.py`, `*.json`), the chardet version it asks, and the Unicode
    version NFKC folds with. The parse cache is keyed by it, so any such change reparses
    every file once, with no version number to forget to bump."""
    import unicodedata
    from pathlib import Path

    import chardet

    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted([*here.glob("*.py"), *here.glob("*.json")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(f"chardet {chardet.__version__}; unicode {unicodedata.unidata_version}".encode())
    return digest.hexdigest()[:12]


#: `<release>+<digest of the parser's source>`: what every report records as `parser_version`.
PARSER_VERSION = f"{PARSER_RELEASE}+{_source_digest()}"
MAX_REASON = 2000
#: The largest figure a cell of the form can mean. A county's applications are counted in
#: the tens, a province's in the tens of thousands, fees in 元 stay far below this; a cell
#: beyond it is a damaged or run-together print (`9223372036854775808`, `增加9999…`), not a
#: figure: it is left out and named, which makes the report `partial`. (It also keeps every
#: loaded value exact in int64 and float64.)
MAX_FIGURE = 10**12


def report_id_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def rejected_report(
    reason: str | None, source_path: str | None = None, report_id: str | None = None
) -> Report:
    """A `rejected` record with nothing read: for bytes that could not be read or parsed."""
    return Report(
        report_id=report_id,  # type: ignore[arg-type]  # unknown when the bytes are unknown
        source_path=source_path,
        encoding=None,
        encoding_confidence=0.0,
        layout="unknown",
        format_version="unknown",
        agency=None,
        year=None,
        status=STATUS_REJECTED,
        status_reason=reason,
        parser_version=PARSER_VERSION,
    )


def parse_report(data: bytes, source_path: str | None = None) -> Report:
    """Parse one report's bytes. Any unexpected failure becomes a `rejected` record."""
    report = rejected_report(None, source_path, report_id_of(data))
    try:
        _parse_into(report, data)
    except Exception as exc:  # noqa: BLE001 - the contract: garbage in, a record out
        report.status = STATUS_REJECTED
        report.status_reason = f"internal parser error: {type(exc).__name__}: {exc}"[:MAX_REASON]
        report.applications, report.active_disclosure, report.review_litigation = [], [], []
    return report


def _parse_into(report: Report, data: bytes) -> None:
    kind, what = sniff(data)
    report.input_kind = kind
    problems: list[str] = []
    page_starts: tuple[int, ...] = ()
    decoded = None
    ocr = None  # the OCR reading (parsers.ocr_text.OcrText) of an image or a scanned PDF
    try:
        if kind == "empty":
            report.status_reason = "empty file"
            return
        if kind == "image":
            pdf = ocr = _ocr_or_refuse(
                f"scanned image ({what}): no text layer to read",
                lambda: _ocr_module().image_pages_text(data, what or "image"),
            )
        if kind == "archive":
            report.status_reason = f"archive: {what}"
            return
        if kind == "pdf":
            try:  # raises UnreadableInput: scanned, garbled, encrypted, damaged
                pdf = pdf_text(data)
            except NeedsOcr as exc:  # scanned or garbled: its pages are read by OCR
                reason = str(exc)
                pdf = ocr = _ocr_or_refuse(
                    reason, lambda: _ocr_module().pdf_pages_text(data, reason.split(" (")[0])
                )  # (`pdf`: the same kind of text, read from the rendered pages)
        if kind == "docx":
            rows = rows_from_docx(data)
            if not _prints_tables(rows):  # its tables may be pictures: read by OCR
                parts = docx_pictures(data)
                if parts:
                    reason = "Word document (.docx): its tables are pictures (none in its text)"
                    pdf = ocr = _ocr_or_refuse(
                        reason,
                        lambda: _ocr_module().document_text(parts, "pictures of a Word document"),
                    )
        if kind in ("pdf", "image") or ocr is not None:  # paged text: text layer or OCR
            report.encoding, report.encoding_confidence = None, 1.0
            report.warnings.extend(pdf.warnings)
            page_starts = pdf.page_starts
            lines = normalise_text(pdf.text)
            rows = rows_from_lines(lines)
            meta_lines = lines
            # (a ruled row with a blank cell is printed as tab-separated cells: still the
            # space-aligned text of a PDF, not a tab-separated dump)
            layout = detect_layout([ln.replace("\t", " ") for ln in lines], rows)
        elif kind in ("docx", "ole2"):
            if kind == "ole2":
                rows = rows_from_doc(data)  # raises UnreadableInput when it is no Word file
                report.input_kind = "doc"
            report.encoding, report.encoding_confidence = None, 1.0
            meta_lines = [r.text for r in rows]
            layout = "word_table"
        else:
            decoded = decode(data)
            report.input_kind = "text"
            report.encoding = decoded.encoding
            report.encoding_confidence = decoded.confidence
            text = decoded.text
            if _looks_binary(text):
                report.input_kind = "binary"
                report.status_reason = (
                    "not text: binary content (image, archive or other non-text file)"
                )
                return
            if decoded.mojibake_repaired_lines:
                report.warnings.append(
                    f"repaired {decoded.mojibake_repaired_lines} line(s) of UTF-8 text once "
                    "decoded as GBK"
                )
            if decoded.mojibake_suspect_lines:
                report.warnings.append(
                    f"{decoded.mojibake_suspect_lines} line(s) look like mojibake (UTF-8 read "
                    "as GBK) that could not be repaired exactly"
                )
            if looks_like_html(text):  # (cells and text blocks are normalised one by one)
                report.input_kind = "html"
                rows = rows_from_html(text)
                meta_lines = [r.text for r in rows]
                layout = "html"
            else:
                if _WEB_PAGE_START.match(text):  # a page with too few tags to hold tables
                    report.input_kind = "html"
                lines = normalise_text(text)
                rows = rows_from_lines(lines)
                meta_lines = lines
                layout = detect_layout(lines, rows)
            if decoded.replacement_chars:
                problems.append(f"{decoded.replacement_chars} undecodable byte sequence(s)")
            if decoded.mojibake_suspect_lines:
                problems.append(
                    f"{decoded.mojibake_suspect_lines} line(s) of unrepairable mojibake"
                )
    except UnreadableInput as exc:
        report.status_reason = str(exc)[:MAX_REASON]
        return
    report.layout = layout
    report.sections = find_sections(meta_lines)
    report.narrative = narrative_figures(meta_lines, report.sections)
    agency, year, notes = find_metadata(meta_lines)
    report.agency, report.year = agency, year
    report.warnings.extend(notes)
    fmt = detect_format(rows, year)
    report.format_version = fmt
    if fmt == "legacy":
        report.status_reason = (
            f"legacy report (covers {year}, before the 2019 statutory tables): "
            "free-form statistics are not parsed"
        )
        return
    if fmt == "unknown":
        reason = "no statutory table found (not an annual disclosure report, or unrecognised)"
        if decoded is not None and decoded.mojibake_suspect_lines:
            reason += f"; {decoded.mojibake_suspect_lines} line(s) look like mojibake that could not be repaired"
        report.status_reason = reason
        return
    # text rebuilt from a PDF's character positions merges no lines and breaks no number
    # across lines: nothing to reconstruct (its few rows may look like one cell per line)
    losses = Losses() if page_starts else losses_of(layout, meta_lines)
    tables = read_tables(rows, FORMS[fmt], losses)
    problems[:0] = tables.problems
    report.active_disclosure = _within_bounds(tables.active_disclosure, "table 2", problems)
    report.applications = _within_bounds(tables.applications, "table 3", problems)
    report.review_litigation = _within_bounds(tables.review_litigation, "table 4", problems)
    report.narrative = {
        key: value for key, value in report.narrative.items() if abs(value) <= MAX_FIGURE
    }
    report.warnings.extend(tables.warnings)
    if agency is None:
        problems.append("agency not found")
    if year is None:
        problems.append("covered year not found")
    if ocr is not None:
        _mark_ocr(report, ocr)
    if page_starts:
        _place_on_pages(report, page_starts)
    if not tables.found:
        report.status = STATUS_REJECTED
        report.status_reason = "; ".join(problems)[:MAX_REASON] or "no table could be read"
    elif problems:
        report.status = STATUS_PARTIAL
        report.status_reason = "; ".join(problems)[:MAX_REASON]
    else:
        report.status = STATUS_PARSED


def _ocr_module():
    from parsers import ocr_text  # (imported only when an image or a scan is met)

    return ocr_text


def _ocr_or_refuse(reason: str, read):
    """`read()` (an OCR reading); `UnreadableInput` saying why when OCR cannot run here."""
    ocr_text = _ocr_module()
    why_not = ocr_text.ocr_unavailable()
    if why_not:
        raise UnreadableInput(f"{reason}; {why_not}")
    try:
        return read()
    except ocr_text.OcrMissing as exc:
        raise UnreadableInput(f"{reason}; {exc}") from None


def _mark_ocr(report: Report, ocr) -> None:
    """Every figure of a report read by OCR says so (`method = 'ocr'`), with how sure the
    recogniser was of it: the least probable of its characters (`OcrText.confidence_of`;
    the `nth` time the same figure is printed on its line, left to right)."""
    from dataclasses import replace

    from parsers.model import METHOD_OCR

    seen: Counter[tuple[int, str]] = Counter()

    def marked(fact):
        if fact.line is not None and not ocr.recognised(fact.line):
            return fact  # (a `.docx`'s own text line beside its pictures)
        confidence = None
        if fact.line is not None and fact.raw:
            key = (fact.line, fact.raw.strip())
            confidence = ocr.confidence_of(fact.line, fact.raw, seen[key])
            seen[key] += 1
        return replace(fact, method=METHOD_OCR, confidence=confidence)

    report.active_disclosure = [marked(f) for f in report.active_disclosure]
    report.applications = [marked(f) for f in report.applications]
    report.review_litigation = [marked(f) for f in report.review_litigation]


def _place_on_pages(report: Report, page_starts: tuple[int, ...]) -> None:
    """Facts of a paged input say their page, and their line on that page (`page_starts`:
    the text's line number where each page begins)."""
    from bisect import bisect_right

    from parsers.model import ON_PAGE

    def placed(fact):
        if fact.line is None:
            return fact
        page = bisect_right(page_starts, fact.line)
        return ON_PAGE[type(fact)](fact, page, fact.line - page_starts[page - 1] + 1)

    report.applications = [placed(f) for f in report.applications]
    report.active_disclosure = [placed(f) for f in report.active_disclosure]
    report.review_litigation = [placed(f) for f in report.review_litigation]


def _within_bounds(facts: list, table: str, problems: list[str]) -> list:
    """The facts whose value the form can mean; each other one is named in `problems`."""
    if all(f.value is None or abs(f.value) <= MAX_FIGURE for f in facts):
        return facts
    kept = []
    for fact in facts:
        if fact.value is not None and not abs(fact.value) <= MAX_FIGURE:  # NaN is out too
            row, column = (getattr(fact, f.name) for f in fields(fact)[:2])
            problems.append(
                f"{table} {row}/{column}: {fact.raw!r} (line {fact.line}) is beyond any "
                f"figure the form can hold (over {MAX_FIGURE:,}); cell left out"
            )
        else:
            kept.append(fact)
    return kept


_WEB_PAGE_START = re.compile(r"\s*<(!doctype\s+html|html[\s>])", re.IGNORECASE)
_NOT_TEXT = re.compile(r"[\ufffd\x00-\x08\x0e-\x1f]")


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    return bool(sample) and len(_NOT_TEXT.findall(sample)) / len(sample) > 0.05


_ONE_CELL_PER_LINE = frozenset({"cell_per_line", "cell_per_line_tab", "cell_per_line_pipe"})


def losses_of(layout: str, lines: list[str]) -> Losses:
    """What the layout may have lost: run-together digits in a run-together dump; in a
    cell-per-line dump, numbers broken across lines, and identical lines merged when no two
    consecutive printed lines are the same (a dump that merges leaves none; any real table
    of one cell per line repeats a 0)."""
    if layout == "run_together":
        return Losses(run_together=True)
    if layout not in _ONE_CELL_PER_LINE:
        return Losses()
    printed = [s for s in (ln.rstrip() for ln in lines) if s.strip()]  # (` |` is a cell)
    merged = all(a != b for a, b in zip(printed, printed[1:], strict=False))
    # numbers broken across lines only where the page broke lines inside cells: a table
    # label printed one character per line (自 / 然 / 人)
    cores = (s.strip(" \t|") for s in printed)
    broken = sum(1 for s in cores if len(s) == 1 and "\u4e00" <= s <= "\u9fff") >= 3
    return Losses(merged=merged, broken=broken)


def detect_layout(lines: list[str], rows: list[Row]) -> str:
    """The dominant way the tables are printed (for reporting; the readers are shared)."""
    kinds: Counter[str] = Counter()
    for ln in lines:
        if len(ln) > 300:
            if is_run_together(ln):
                return "run_together"
            continue  # narrative
        if "|" not in ln and "\t" not in ln:
            continue  # counts as none of the kinds below
        s = ln.strip()
        if not s:
            continue
        if s.count("|") >= 3 and not s.startswith("||"):
            # a pipe table's row, with its outer pipes (Markdown) or without them (as
            # html2text prints one: `label | 26 |  |  | 26`)
            kinds["markdown"] += 1
        elif s.endswith(" |") or s.startswith("||"):
            kinds["cell_per_line_pipe"] += 1
        elif "\t" in s and sum(1 for c in ln.split("\t") if c.strip()) >= 3:
            kinds["tab_rows"] += 1
        elif ln[0] == "\t":
            kinds["cell_per_line_tab"] += 1
    explicit_spaced = sum(1 for r in rows if r.explicit and len(r.cells) >= 4)
    if explicit_spaced >= 10 and not kinds:
        return "space_aligned"
    if not kinds:
        return "cell_per_line"
    return kinds.most_common(1)[0][0]


def _prints_tables(rows: list[Row]) -> bool:
    """Does the text hold the statutory tables (a marker of the form, or their rows)?"""
    text = "\n".join(r.text.replace(" ", "") for r in rows)
    return (
        any(p.search(text) for p in FORMAT_MARKERS.values())
        or "第二十条" in text
        or "本年新收" in text
    )


def detect_format(rows: list[Row], year: int | None) -> str:
    text = "\n".join(r.text.replace(" ", "") for r in rows)
    hits = {fmt: len(p.findall(text)) for fmt, p in FORMAT_MARKERS.items()}
    has_tables = "第二十条" in text or "本年新收" in text
    if year is not None and year < 2019 and not any(hits.values()):
        return "legacy"
    if hits["2021"] > hits["2019"]:
        return "2021"
    if hits["2019"] > hits["2021"]:
        return "2019"
    if has_tables and year is not None:
        return "2021" if year >= 2021 else "2019" if year >= 2019 else "legacy"
    if year is not None and year < 2019:
        return "legacy"
    return "unknown"
