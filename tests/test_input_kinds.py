"""A file's kind comes from its first bytes, never from its name: each kind goes to its
reader, and each kind no reader takes is refused with a reason that names it."""

from __future__ import annotations

import gzip
import io
import zipfile

import pytest

from parsers import parse_report
from parsers.inputs import INPUT_KINDS, sniff
from tests.conftest import shared_path

SEED = "seeds/000_3362babfcc868ba6.txt"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


# ids from the reason: the data's own repr is no id (a gzip or ZIP header holds the time it
# was made, and pytest-xdist's processes must collect the same test names)
REFUSED = [
    (b"\x89PNG\r\n\x1a\n" + bytes(100), "image", "scanned image (PNG image): no text layer"),
    (b"\xff\xd8\xff\xe0" + bytes(100), "image", "scanned image (JPEG image): no text layer"),
    (b"II*\x00" + bytes(100), "image", "scanned image (TIFF image): no text layer"),
    (gzip.compress(b"report"), "archive", "archive: gzip archive"),
    (b"Rar!\x1a\x07\x00" + bytes(50), "archive", "archive: RAR archive"),
    (
        _zip({"a.txt": b"1", "b.txt": b"2"}),
        "archive",
        "archive: ZIP archive of 2 file(s), not a Word document",
    ),
    (
        _zip({"xl/workbook.xml": b"<x/>"}),
        "archive",
        "archive: Excel workbook (.xlsx), not a report document",
    ),
    (b"PK\x03\x04 damaged", "archive", "archive: damaged ZIP archive"),
    (b" \n\t ", "empty", "empty file"),
]


@pytest.mark.parametrize(("data", "kind", "reason"), REFUSED, ids=[r for _, _, r in REFUSED])
def test_each_refused_kind_is_named_in_the_reason(data: bytes, kind: str, reason: str) -> None:
    report = parse_report(data, "download")
    assert (report.input_kind, report.status) == (kind, "rejected")
    assert report.status_reason.startswith(reason), report.status_reason
    assert kind in INPUT_KINDS


def test_text_that_starts_like_a_magic_number_is_still_text() -> None:
    # "BM" opens a BMP, and also ordinary text; a real BMP gives its own size next
    assert sniff("BM 本年新收".encode())[0] == "text"
    data = shared_path(SEED).read_bytes()
    assert parse_report(b"BM" + data).input_kind == "text"


def test_a_word_web_page_saved_as_doc_is_read_as_html() -> None:
    """Word's "save as web page" files are often served as .doc: HTML by their bytes."""
    page = shared_path("corpus/html/shuyang_drc_2023.html").read_bytes()
    report = parse_report(page, "report.doc")
    assert (report.input_kind, report.layout, report.status) == ("html", "html", "parsed")


def test_text_and_web_pages_say_which_they_are() -> None:
    assert parse_report(shared_path(SEED).read_bytes()).input_kind == "text"
    page = b"<!DOCTYPE html><html><body>" + shared_path(SEED).read_bytes() + b"</body></html>"
    assert parse_report(page).input_kind == "html"
    assert parse_report(bytes(range(256)) * 40).input_kind == "binary"
