"""What kind of file a report is, from its first bytes, never from its name.

Scrapers save whatever the server sent under whatever name the link had: a PDF saved as
`.html`, a `.docx` with no extension, a `.doc` that is really a Word "save as web page"
HTML file. The kind decides the reader (`parsers.report`), and every report records it as
`input_kind`.
"""

from __future__ import annotations

import io
import zipfile

#: Every `input_kind` a report can have. `text` and `html` are both decoded text (told apart
#: after decoding); the rest are binary containers with a reader of their own or a refusal.
INPUT_KINDS = (
    "text",
    "html",
    "pdf",
    "docx",
    "doc",
    "image",
    "archive",
    "ole2",
    "empty",
    "binary",
    "unknown",
)

_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The PDF header may follow a little junk (the spec lets readers look in the first 1,024 bytes).
_PDF_HEADER_WINDOW = 1024
_IMAGE_MAGICS = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
)
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
_OTHER_ARCHIVES = (
    (b"\x1f\x8b", "gzip"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip"),
    (b"BZh", "bzip2"),
)


class UnreadableInput(Exception):  # noqa: N818 - a reason, not a bug
    """A reader's refusal: the file is of a kind it knows, and it cannot read this one. The
    message is the report's `status_reason` and names the file type."""


def sniff(data: bytes) -> tuple[str, str | None]:
    """(input_kind, what it is when the kind is refused) from the leading bytes.

    `text` here means "not a known binary container": the decoder decides whether it is text.
    """
    head = data[:_PDF_HEADER_WINDOW]
    if not data.strip():
        return "empty", None
    if b"%PDF-" in head:
        return "pdf", None
    if data.startswith(_ZIP_MAGICS):
        return _zip_kind(data)
    if data.startswith(_OLE2_MAGIC):
        return "ole2", None  # the Word reader decides: .doc/.wps, or another OLE2 file
    for magic, name in _IMAGE_MAGICS:
        if data.startswith(magic):
            if name == "BMP" and len(data) > 14 and not _plausible_bmp(data):
                break
            return "image", f"{name} image"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image", "WebP image"
    for magic, name in _OTHER_ARCHIVES:
        if data.startswith(magic):
            return "archive", f"{name} archive"
    return "text", None


def _plausible_bmp(data: bytes) -> bool:
    """`BM` also starts ordinary text; a real BMP gives its own file size next."""
    size = int.from_bytes(data[2:6], "little")
    return size == len(data) or (size > 26 and abs(size - len(data)) <= 4)


def _zip_kind(data: bytes) -> tuple[str, str | None]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        # a damaged ZIP: if it still says it is a Word document, let the Word reader say why
        # it cannot read it
        if b"word/document.xml" in data:
            return "docx", None
        return "archive", "damaged ZIP archive"
    if "word/document.xml" in names:
        return "docx", None
    if "xl/workbook.xml" in names:
        return "archive", "Excel workbook (.xlsx), not a report document"
    if "ppt/presentation.xml" in names:
        return "archive", "PowerPoint file (.pptx), not a report document"
    if "content.xml" in names and "mimetype" in names:
        return "archive", "OpenDocument file, not read"
    return "archive", f"ZIP archive of {len(names)} file(s), not a Word document"
