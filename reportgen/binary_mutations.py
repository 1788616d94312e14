"""Hypothesis strategies that damage binary reports: PDFs and Word .docx files.

The corpus (`binary_reports`): the real PDFs of tests/fixtures/reports/corpus/pdf, the
official 2021 .docx template, and generated PDFs (reportgen/pdf_reports.py: plain, Word-like,
turned pages, object streams, encrypted, scanned, the committed TrueType fixtures).

PDF damage: cut short, bytes flipped or inserted, a region cut or repeated (the text
mutations of reportgen/mutations.py), the xref table or stream or `startxref` removed, an
object dropped, an object stream's compressed bytes or its header garbled, `/Length`
wrong, `/Count` huge or negative, a page tree that loops (a /Kids entry naming the /Pages
node itself or its ancestor), absurd numbers (MediaBox, Rotate, font size, matrix),
unknown or wrong filters, arrays nested thousands deep, a bogus /Encrypt entry.

Legacy .doc/.wps files (tests/fixtures/word, when present) are damaged byte by byte.

DOCX damage (the template and tests/fixtures/word's filled .docx files): a ZIP member removed, renamed, duplicated or stored with an unknown
compression method; `word/document.xml` cut, its bytes flipped, its markup garbled, its
merge attributes (w:gridSpan, w:vMerge, w:gridBefore) set absurd, tables nested deep, an
entity-expansion DOCTYPE; the ZIP's own bytes flipped or cut.

`binary_mutated_reports()` draws one corpus file and 1–3 mutations fitting its kind.
"""

from __future__ import annotations

import functools
import io
import random
import re
import zipfile
import zlib
from pathlib import Path

from hypothesis import strategies as st

from reportgen import paths
from reportgen.mutations import _cut, _duplicate_region, _flip_bytes, _random_bytes, _truncate

CORPUS = paths.SHARED / "corpus"
DOCUMENT_XML = "word/document.xml"


@functools.cache
def binary_reports() -> tuple[tuple[str, bytes], ...]:
    """(kind, bytes) of every binary report the mutations start from."""
    from reportgen.generator import random_figures
    from reportgen.pdf_reports import FIXTURES, VARIANTS, render_pdf

    pdfs = sorted((CORPUS / "pdf").glob("*.pdf"))
    docx = CORPUS / "docx" / "official_template_2021.docx"
    if len(pdfs) < 3 or not docx.exists():  # a missing fixture is a failure, never a smaller fuzz
        raise FileNotFoundError(f"the real PDF/DOCX reports under {CORPUS} are missing")
    out = [("pdf", p.read_bytes()) for p in pdfs]
    out += [
        ("pdf", (FIXTURES / name).read_bytes())
        for name in ("truetype_subset.pdf", "no_unicode_map.pdf")
    ]
    for k, variant in enumerate(
        ("plain", "word_like", "rotated_90", "object_streams", "encrypted_owner", "encrypted_user", "scanned")
    ):  # fmt: skip
        rng = random.Random(f"binary-corpus:{k}")
        fig = random_figures(rng, ("2021", "2019")[k % 2])
        out.append(("pdf", render_pdf(fig, rng, VARIANTS[variant]).data))
    out.append(("docx", docx.read_bytes()))
    # the Word reader's own fixtures: filled templates (.docx) and legacy binary files
    word = paths.FIXTURES / "word"
    out += [("docx", p.read_bytes()) for p in sorted(word.glob("*.docx"))]
    out += [
        ("ole2", p.read_bytes()) for p in sorted(word.glob("*.doc")) + sorted(word.glob("*.wps"))
    ]
    return tuple(out)


# ---------------------------------------------------------------------------- PDF
def _replace_some(pattern: re.Pattern[bytes], data: bytes, draw, make) -> bytes:
    """`data` with one (drawn) match of `pattern` replaced by `make(match)`."""
    found = list(pattern.finditer(data))
    if not found:
        return _flip_bytes(data, draw)
    m = found[draw(st.integers(0, len(found) - 1))]
    return data[: m.start()] + make(m) + data[m.end() :]


def _drop_xref(data: bytes, draw) -> bytes:
    how = draw(st.sampled_from(["table", "startxref", "stream", "tail"]))
    if how == "table" and b"\nxref" in data:
        a = data.rindex(b"\nxref")
        b = data.find(b"trailer", a)
        return data[:a] + data[b if b > 0 else len(data) :]
    if how == "startxref" and b"startxref" in data:
        a = data.rindex(b"startxref")
        return (
            data[:a] + b"startxref\n" + str(draw(st.integers(-10, 10**12))).encode() + b"\n%%EOF\n"
        )
    if how == "stream" and b"/XRef" in data:
        a = data.rindex(b"/XRef")
        start = data.rfind(b" obj", 0, a)
        end = data.find(b"endobj", a)
        return data[: max(0, start - 8)] + data[end + 6 if end > 0 else len(data) :]
    return data[: data.rfind(b"%%EOF") if b"%%EOF" in data else len(data)]


_OBJECT = re.compile(rb"\d+ \d+ obj\b.*?endobj", re.S)


def _drop_object(data: bytes, draw) -> bytes:
    return _replace_some(_OBJECT, data, draw, lambda m: b"")


_STREAM = re.compile(rb"(/Length\s+)(\d+)([^>]*>>\s*stream\r?\n)", re.S)


def _garble_stream(data: bytes, draw) -> bytes:
    """One stream's bytes garbled (an object stream's, when the file has one)."""
    objstm = data.find(b"/ObjStm")
    matches = list(_STREAM.finditer(data))
    if not matches:
        return _flip_bytes(data, draw)
    near = [m for m in matches if objstm >= 0 and m.start() <= objstm + 200 and m.end() >= objstm]
    m = near[0] if near and draw(st.booleans()) else matches[draw(st.integers(0, len(matches) - 1))]
    length = int(m.group(2))
    body = bytearray(data[m.end() : m.end() + length])
    if not body:
        return data
    how = draw(st.sampled_from(["flip", "zero", "inflated", "truncate"]))
    if how == "flip":
        for _ in range(draw(st.integers(1, 16))):
            body[draw(st.integers(0, len(body) - 1))] = draw(st.integers(0, 255))
    elif how == "zero":
        a = draw(st.integers(0, len(body) - 1))
        body[a : a + draw(st.integers(1, 64))] = b"\0" * len(body[a : a + 64])
    elif how == "inflated":  # the decompressed content garbled (an object stream's header)
        try:
            plain = bytearray(zlib.decompress(bytes(body)))
        except zlib.error:
            plain = bytearray(body)
        if plain:
            for _ in range(draw(st.integers(1, 8))):
                plain[draw(st.integers(0, len(plain) - 1))] = draw(
                    st.sampled_from(b"0123456789 <>[]/()R")
                )
        body = bytearray(zlib.compress(bytes(plain)))
    else:
        body = body[: draw(st.integers(0, len(body) - 1))]
    head = m.group(1) + str(len(body)).encode() + m.group(3)
    return data[: m.start()] + head + bytes(body) + data[m.end() + length :]


def _bad_length(data: bytes, draw) -> bytes:
    values = st.sampled_from([b"0", b"-1", b"1", b"99999999999", b"2147483648", b"1 0 R", b"x"])
    return _replace_some(
        re.compile(rb"/Length\s+\d+"), data, draw, lambda m: b"/Length " + draw(values)
    )


_HUGE = st.sampled_from(
    [b"2147483647", b"4294967296", b"-1", b"0", b"999999999999999999999", b"1e308", b"-2147483648"]
)


def _huge_count(data: bytes, draw) -> bytes:
    return _replace_some(
        re.compile(rb"/Count\s+-?\d+"), data, draw, lambda m: b"/Count " + draw(_HUGE)
    )


def _page_tree_loop(data: bytes, draw) -> bytes:
    """A /Kids entry that names a /Pages node (itself or an ancestor): the tree loops."""
    pages = re.findall(rb"(\d+) (\d+) obj\s*<<(?:(?!endobj).)*?/Type\s*/Pages", data, re.S)
    if not pages:
        return _huge_count(data, draw)
    num, gen = pages[draw(st.integers(0, len(pages) - 1))]
    ref = num + b" " + gen + b" R"
    kids = re.compile(rb"/Kids\s*\[\s*\d+ \d+ R")
    if draw(st.booleans()):
        return _replace_some(kids, data, draw, lambda m: b"/Kids [ " + ref)
    return _replace_some(kids, data, draw, lambda m: b"/Kids [ " + ref + b" " + ref)


_NUMBER_SITES = re.compile(
    rb"/(MediaBox|CropBox|Rotate|Tf|Matrix|BBox|W|DW|FontBBox)\b\s*\[?[-\d. ]*"
)


def _absurd_numbers(data: bytes, draw) -> bytes:
    numbers = st.sampled_from(
        [b"1e308", b"-1e308", b"NaN", b"99999999999999999999", b"-0", b"45", b"0"]
    )

    def make(m: re.Match[bytes]) -> bytes:
        body = m.group(0)
        return re.sub(rb"-?\d+(\.\d+)?", lambda _: draw(numbers), body)

    return _replace_some(_NUMBER_SITES, data, draw, make)


def _bad_filter(data: bytes, draw) -> bytes:
    filters = st.sampled_from(
        [b"/LZWDecode", b"/DCTDecode", b"/JBIG2Decode", b"/CCITTFaxDecode", b"/Crypt", b"/Nope",
         b"/RunLengthDecode", b"/ASCIIHexDecode", b"[/FlateDecode /FlateDecode]"]
    )  # fmt: skip
    return _replace_some(re.compile(rb"/FlateDecode"), data, draw, lambda m: draw(filters))


def _deep_nesting(data: bytes, draw) -> bytes:
    depth = draw(st.integers(100, 20000))
    opener, closer = draw(st.sampled_from([(b"[", b"]"), (b"<<", b">>"), (b"<< /A ", b" >>")]))
    blob = opener * depth + closer * draw(st.integers(0, depth))
    pos = data.find(b"/Resources")
    if pos < 0 or draw(st.booleans()):
        pos = draw(st.integers(0, len(data)))
    return data[:pos] + blob + data[pos:]


def _bogus_encrypt(data: bytes, draw) -> bytes:
    what = draw(
        st.sampled_from(
            [b"/Encrypt 1 0 R", b"/Encrypt << /Filter /Standard /V 9 /R 9 >>",
             b"/Encrypt << /Filter /Nope >>", b"/Encrypt << >>"]
        )
    )  # fmt: skip
    return _replace_some(
        re.compile(rb"/Root\s+\d+ \d+ R"), data, draw, lambda m: m.group(0) + b" " + what
    )


PDF_MUTATIONS = [
    _truncate, _cut, _flip_bytes, _random_bytes, _duplicate_region, _drop_xref, _drop_object,
    _garble_stream, _bad_length, _huge_count, _page_tree_loop, _absurd_numbers, _bad_filter,
    _deep_nesting, _bogus_encrypt,
]  # fmt: skip


# ---------------------------------------------------------------------------- DOCX
def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return [(info, zf.read(info)) for info in zf.infolist()]
    except Exception:  # noqa: BLE001 - already damaged: the caller mutates the bytes instead
        return None


def _zip(members: list[tuple[zipfile.ZipInfo | str, bytes]]) -> bytes:
    import warnings

    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        warnings.simplefilter("ignore")  # (a duplicate name is the point of _duplicate_member)
        for info, content in members:
            name = info if isinstance(info, str) else info.filename
            zf.writestr(zipfile.ZipInfo(name, date_time=(2021, 1, 1, 0, 0, 0)), content,
                        compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
    return buf.getvalue()


def _on_members(mutate):
    """A ZIP-level mutation; a file that no longer opens as a ZIP gets its bytes flipped."""

    def run(data: bytes, draw) -> bytes:
        members = _members(data)
        if not members:
            return _flip_bytes(data, draw)
        return mutate(members, draw)

    run.__name__ = mutate.__name__
    return run


def _pick(members, draw, prefer_document: bool = True) -> int:
    names = [info.filename for info, _ in members]
    if prefer_document and DOCUMENT_XML in names and draw(st.booleans()):
        return names.index(DOCUMENT_XML)
    return draw(st.integers(0, len(members) - 1))


@_on_members
def _remove_member(members, draw) -> bytes:
    del members[_pick(members, draw)]
    return _zip(members)


@_on_members
def _rename_member(members, draw) -> bytes:
    k = _pick(members, draw)
    info, content = members[k]
    new = draw(st.sampled_from(["word/Document.xml", "word/document.xml.bak", "document.xml",
                                "word\\document.xml", "/word/document.xml", "word/document.xml/",
                                "../word/document.xml", ""]))  # fmt: skip
    members[k] = (new or "x", content)
    return _zip(members)


@_on_members
def _duplicate_member(members, draw) -> bytes:
    k = _pick(members, draw)
    info, content = members[k]
    members.insert(
        draw(st.integers(0, len(members))), (info.filename, content[: len(content) // 2])
    )
    return _zip(members)


@_on_members
def _unknown_compression(members, draw) -> bytes:
    data = _zip(members)
    k = _pick(members, draw)
    name = members[k][0].filename.encode()
    # the compression method field of the local header and of the central directory entry
    out = bytearray(data)
    for sig, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        pos = 0
        while (pos := out.find(sig, pos)) >= 0:
            name_at = pos + (30 if sig == b"PK\x03\x04" else 46)
            if out[name_at : name_at + len(name)] == name:
                out[pos + offset : pos + offset + 2] = draw(
                    st.sampled_from([b"\x63\x00", b"\x0c\x00", b"\x09\x00", b"\xff\xff"])
                )
            pos += 4
    return bytes(out)


def _on_document(mutate):
    """A mutation of word/document.xml's text (re-zipped)."""

    def run(data: bytes, draw) -> bytes:
        members = _members(data)
        if not members:
            return _flip_bytes(data, draw)
        names = [info.filename for info, _ in members]
        k = names.index(DOCUMENT_XML) if DOCUMENT_XML in names else _pick(members, draw)
        members[k] = (members[k][0], mutate(members[k][1], draw))
        return _zip(members)

    run.__name__ = mutate.__name__
    return run


_SPAN_ATTRS = re.compile(rb"<w:(gridSpan|vMerge|gridBefore|gridAfter|hMerge)\b[^>]*/>")
_ABSURD = [b"999999999", b"2147483648", b"-1", b"0", b"-2147483649", b"1e9", b"x", b"", b"restart",
           b"continue", b"99999999999999999999999"]  # fmt: skip


@_on_document
def _absurd_spans(xml: bytes, draw) -> bytes:
    sites = list(_SPAN_ATTRS.finditer(xml))
    if not sites:
        return xml
    for _ in range(draw(st.integers(1, 6))):
        m = sites[draw(st.integers(0, len(sites) - 1))]
        value = draw(st.sampled_from(_ABSURD))
        if b"w:val=" in m.group(0):
            new = re.sub(rb'w:val="[^"]*"', b'w:val="' + value + b'"', m.group(0))
        else:
            new = m.group(0)[:-2].rstrip() + b' w:val="' + value + b'"/>'
        xml = xml[: m.start()] + new + xml[m.end() :]
        sites = list(_SPAN_ATTRS.finditer(xml))
    # sometimes a huge span is given to a cell that had none
    if draw(st.booleans()):
        span = b'<w:gridSpan w:val="' + draw(st.sampled_from(_ABSURD)) + b'"/>'
        xml = re.sub(rb"<w:tcPr>(?!<w:gridSpan)", b"<w:tcPr>" + span, xml, count=1)
    return xml


@_on_document
def _garble_markup(xml: bytes, draw) -> bytes:
    tokens = st.sampled_from([b"<", b">", b"</w:tc>", b"<w:tr>", b"</w:tbl>", b"<w:tbl>", b"&", b"&#0;",
                              b"<w:t>", b"]]>", b"<!--", b'"', b"\xff\xfe", b"<w:p/>", b"</w:body>"])  # fmt: skip
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(xml)))
        xml = xml[:pos] + draw(tokens) + xml[pos:]
    return xml


@_on_document
def _cut_document(xml: bytes, draw) -> bytes:
    return _truncate(xml, draw) if draw(st.booleans()) else _flip_bytes(xml, draw)


@_on_document
def _nest_tables(xml: bytes, draw) -> bytes:
    depth = draw(st.integers(10, 3000))
    inner = (
        b"<w:tbl><w:tr><w:tc>" * depth
        + b"<w:p><w:r><w:t>1</w:t></w:r></w:p>"
        + b"</w:tc></w:tr></w:tbl>" * depth
    )
    pos = xml.find(b"<w:body>")
    if pos < 0:
        return xml + inner
    pos += len(b"<w:body>")
    return xml[:pos] + inner + xml[pos:]


@_on_document
def _entity_expansion(xml: bytes, draw) -> bytes:
    """A DOCTYPE of entities that expand to a billion characters (or read a local file)."""
    kind = draw(st.sampled_from(["laughs", "external"]))
    if kind == "laughs":
        ents = b'<!ENTITY a0 "ha">' + b"".join(
            b'<!ENTITY a%d "&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;&a%d;">'
            % ((i,) + (i - 1,) * 10)
            for i in range(1, 10)
        )
        use = b"&a9;"
    else:
        ents = b'<!ENTITY a9 SYSTEM "file:///etc/passwd">'
        use = b"&a9;"
    decl_end = xml.find(b"?>") + 2 if xml.startswith(b"<?xml") else 0
    doctype = b"<!DOCTYPE w:document [" + ents + b"]>"
    xml = xml[:decl_end] + doctype + xml[decl_end:]
    return xml.replace(b"<w:t>", b"<w:t>" + use, 1)


DOCX_MUTATIONS = [
    _truncate, _cut, _flip_bytes, _random_bytes, _remove_member, _rename_member,
    _duplicate_member, _unknown_compression, _absurd_spans, _garble_markup, _cut_document,
    _nest_tables, _entity_expansion,
]  # fmt: skip


#: Legacy Word .doc / WPS .wps (OLE2 compound files): damaged byte by byte.
OLE2_MUTATIONS = [_truncate, _cut, _flip_bytes, _random_bytes, _duplicate_region]
MUTATIONS_OF = {"pdf": PDF_MUTATIONS, "docx": DOCX_MUTATIONS, "ole2": OLE2_MUTATIONS}


class Damaged(bytes):
    """A damaged file's bytes, shown by size, digest and how it was made (not in full: a
    failing case's bytes are saved by the test, see `save`)."""

    how: str = ""

    def __repr__(self) -> str:
        return f"<{len(self):,} bytes sha256:{self.digest} {self.how}>"

    @property
    def digest(self) -> str:
        import hashlib

        return hashlib.sha256(self).hexdigest()[:16]

    def save(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"damaged-{self.digest}.bin"
        path.write_bytes(bytes(self))
        return path


def _damaged(data: bytes, how: str) -> Damaged:
    out = Damaged(data)
    out.how = how
    return out


@st.composite
def binary_mutated_reports(draw, corpus: tuple[tuple[str, bytes], ...] | None = None) -> Damaged:
    corpus = corpus or binary_reports()
    k = draw(st.integers(0, len(corpus) - 1))
    kind, data = corpus[k]
    mutations = MUTATIONS_OF[kind]
    chosen = draw(st.lists(st.sampled_from(mutations), min_size=1, max_size=3))
    for mutate in chosen:
        data = mutate(data, draw)
    return _damaged(data, f"corpus[{k}] {kind} " + "+".join(m.__name__ for m in chosen))


@st.composite
def mutated_with(draw, kind: str, mutate) -> Damaged:
    """One corpus file of `kind` with `mutate` applied once."""
    corpus = binary_reports()
    k = draw(st.sampled_from([k for k, (kd, _) in enumerate(corpus) if kd == kind]))
    return _damaged(mutate(corpus[k][1], draw), f"corpus[{k}] {kind} {mutate.__name__}")
