"""Legacy Word 97-2003 `.doc` and WPS `.wps` (OLE2 compound files) → grid rows.

The rows are those `parsers.word_docx` gives for the same document saved as `.docx` (and
the HTML reader for a web page): a paragraph outside tables is a one-cell row (split at
manual line breaks; an empty one gives no row); a table row is one explicit row of the
cells it prints, a vertically merged cell once, in its first row (its continuation cells
are not printed), a horizontally merged cell once; a cell's text is its paragraphs joined
with nothing between them, normalised like an HTML cell. A cell holding a nested table is
layout: its paragraphs and tables are read as blocks, like the body.

**Line** (`Cell.line`), as for `.docx`: the 1-based ordinal of the block a cell comes from,
over the main document text in order, where a block is a paragraph outside table cells or
one table row (paragraphs inside an ordinary cell belong to their row's line; the blocks of
a layout cell count as lines of their own after their row's line).

Why the format is read here: no maintained pure-Python library reads a `.doc`'s text with
its table structure (cell and row marks, merged cells); antiword and catdoc are external
binaries that print tables as plain text and lose the cells. The Word binary format is
documented ([MS-DOC]) and the part needed is small:

- the OLE2 container (`olefile`) holds the `WordDocument` stream, whose FIB names the
  table stream (`0Table`/`1Table`, fWhichTblStm) and says whether the file is encrypted;
- the piece table (FIB fcClx/lcbClx → CLX → PlcPcd) maps character positions of the main
  text (the first ccpText characters) to bytes of `WordDocument`: a piece with the
  fCompressed bit (0x40000000) is 8-bit cp1252 at fc/2, any other is UTF-16LE at fc;
- paragraph properties (FIB fcPlcfBtePapx → PlcBtePapx → PapxFkp pages) say which
  paragraphs are in a table (sprmPFInTable, sprmPItap for the nesting depth), which mark
  ends a row (sprmPFTtp; sprmPFInnerTtp / sprmPFInnerTableCell inside nested tables) and,
  on that row-end mark, the row's cells (sprmTDefTable: cell edges and TC80 merge flags;
  sprmTVertMerge). A row of many cells has its properties in the `Data` stream
  (sprmPHugePapx). In the text a paragraph ends in `\\r`, a cell's last paragraph in
  `\\x07`, and a row with one more `\\x07`; an empty cell is a bare `\\x07`, so the text
  alone cannot tell an empty cell from a row end: the properties decide.

Fields keep their result (`\\x13` code `\\x14` result `\\x15`); `\\x0b` (line break)
and `\\x0c` (page or section break) break a line; other control characters are dropped.
Hidden text and tracked deletions (character properties) are not looked at. Word 6.0/95
files (an older FIB) are refused by name.

Anything that is not a readable Word document raises `UnreadableInput` naming what the file
is (another OLE2 file type, an encrypted or damaged document), never another exception;
work is bounded on hostile input (stream sizes checked against the file, at most
`MAX_PIECES` pieces, `MAX_TEXT_CHARS` characters, `MAX_PARAGRAPHS` paragraphs and
`MAX_PROPERTY_BYTES` bytes of paragraph properties).
"""

from __future__ import annotations

import io
import re
import struct
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from parsers.grid import Cell, Row
from parsers.inputs import UnreadableInput
from parsers.word_docx import cell_text, paragraph_rows

MAX_TEXT_CHARS = 20_000_000
MAX_PIECES = 100_000
MAX_NESTING = 16
MAX_PARAGRAPHS = 200_000
MAX_PROPERTY_BYTES = 32 * 1024 * 1024

_DOC = "Word 97-2003 document (.doc)"
_W_IDENT = 0xA5EC
_NFIB_WORD97 = 0x00C0  # Word 97 writes 0x00C1; Word 6.0/95 wrote 101-104
_F_ENCRYPTED = 0x0100
_F_WHICH_TBL_STM = 0x0200
_F_OBFUSCATED = 0x8000
_COMPRESSED = 0x40000000
_FC_MASK = 0x3FFFFFFF
_FKP = 512

# sprms (the 2-byte sprm codes of [MS-DOC] 2.6)
_SPRM_P_F_IN_TABLE = 0x2416
_SPRM_P_F_TTP = 0x2417
_SPRM_P_ITAP = 0x6649
_SPRM_P_DTAP = 0x664A
_SPRM_P_F_INNER_TABLE_CELL = 0x244B
_SPRM_P_F_INNER_TTP = 0x244C
_SPRM_T_DEF_TABLE = 0xD608
_SPRM_T_DEF_TABLE10 = 0xD606
_SPRM_P_CHG_TABS = 0xC615
_SPRM_T_VERT_MERGE = 0xD62B
_SPRM_P_HUGE_PAPX = 0x6646
_FIXED_OPERAND = {0: 1, 1: 1, 2: 2, 3: 4, 4: 2, 5: 2, 7: 3}  # by spra (6: variable)
# TC80.tcgrf merge bits: horzMerge (bits 0-1: 1 first of a merge, 2/3 merged with the
# previous cell) and vertMerge (bits 5-6: 3 first of a vertical merge, 1 continuation)
_V_CONTINUE = 1
_V_RESTART = 3

# Control characters of the text stream: line breaks, a non-breaking and an optional
# hyphen, a tab; every other one (field marks aside, handled first) is dropped.
_CONTROL: dict[int, str | None] = dict.fromkeys(range(0x20))
_CONTROL |= {0x09: " ", 0x0B: "\n", 0x0C: "\n", 0x0E: "\n", 0x1E: "-", 0x1F: None}
_HAS_FIELD = re.compile("[\x13\x14\x15]")
_MARK = re.compile("[\r\x07]")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")

# Streams that say which other OLE2 file type a file is.
_OLE2_TYPES = (
    ("Workbook", "Excel 97-2003 workbook"),
    ("Book", "Excel 5.0/95 workbook"),
    ("PowerPoint Document", "PowerPoint 97-2003 presentation"),
    ("VisioDocument", "Visio drawing"),
    ("__properties_version1.0", "Outlook message"),
    ("Equation Native", "Equation Editor object"),
    ("FileHeader", "Hangul (HWP) document"),
    ("SwDocument", "StarOffice Writer document"),
    ("StarWriterDocument", "StarOffice Writer document"),
    ("CONTENTS", "Microsoft Works or Publisher document"),
    ("Contents", "Microsoft Works or Publisher document"),
)


def rows_from_doc(data: bytes) -> list[Row]:
    """Grid rows of a `.doc`/`.wps` (see the module docstring). Raises `UnreadableInput`."""
    try:
        return _read(data)
    except UnreadableInput:
        raise
    except RecursionError:
        raise UnreadableInput(f"{_DOC} unreadable: nested too deeply") from None
    except MemoryError:
        raise UnreadableInput(f"{_DOC} unreadable: out of memory") from None
    except Exception as exc:  # noqa: BLE001 - any damage is a refusal, never a crash
        raise UnreadableInput(
            f"{_DOC} unreadable: {type(exc).__name__}: {str(exc)[:150]}"
        ) from None


# ---------------------------------------------------------------------- container
def _read(data: bytes) -> list[Row]:
    import olefile

    try:
        # (a BytesIO: olefile takes short bytes for a file name)
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001
        cause = f"damaged OLE2 container ({type(exc).__name__}: {str(exc)[:120]})"
        if _looks_like_word(data):
            raise UnreadableInput(f"{_DOC} unreadable: {cause}") from None
        raise UnreadableInput(f"OLE2 compound file unreadable: {cause}") from None
    try:
        names = {"/".join(path) for path in ole.listdir(streams=True, storages=False)}
        if "WordDocument" not in names:
            raise UnreadableInput(_not_word(names, data))
        word = _stream(ole, "WordDocument", len(data))
        fib = _Fib(word)
        if fib.encrypted:
            raise UnreadableInput("encrypted Word document (.doc): needs a password")
        if fib.table_stream not in names:
            raise UnreadableInput(
                f"{_DOC} unreadable: its table stream {fib.table_stream} is missing"
            )
        table = _stream(ole, fib.table_stream, len(data))
        # (the Data stream holds the properties too large for a page: table rows of many cells)
        extra = _stream(ole, "Data", len(data)) if "Data" in names else b""
    finally:
        ole.close()
    text, pieces = _main_text(word, table, fib)
    marks = text.count("\r") + text.count("\x07")
    if marks > MAX_PARAGRAPHS:
        raise UnreadableInput(f"{_DOC} unreadable: {marks:,} paragraphs (over {MAX_PARAGRAPHS:,})")
    papx = _Papx(word, table, extra, fib) if "\x07" in text else None
    return _Builder(text, pieces, papx).rows()


def _looks_like_word(data: bytes) -> bool:
    """A damaged container that still shows a Word document: the stream's name in a
    directory sector, or a Word FIB (wIdent, nFib of Word 97+) starting a sector."""
    if "WordDocument".encode("utf-16-le") in data:
        return True
    return any(
        data[at : at + 2] == b"\xec\xa5" and 0xC0 <= data[at + 2] | data[at + 3] << 8 < 0x1000
        for at in range(512, min(len(data) - 3, 1 << 20), 512)
    )


def _not_word(names: set[str], data: bytes) -> str:
    """What a compound file without a WordDocument stream is: another known OLE2 type, a
    Word document whose directory is damaged, or some other OLE2 file."""
    if "EncryptedPackage" in names:
        return "encrypted Office document (OLE2 EncryptedPackage: a password-protected .docx/.xlsx/.pptx): needs a password"
    for stream, what in _OLE2_TYPES:
        if stream in names:
            return f"OLE2 file ({what}), not a Word document"
    if names & {"0Table", "1Table"} or _looks_like_word(data):
        return f"{_DOC} unreadable: damaged OLE2 container (its WordDocument stream is not listed)"
    printable = {"".join(ch for ch in name if ch.isprintable()) for name in names}
    shown = ", ".join(sorted(printable)[:6]) or "none"
    return f"OLE2 file with no WordDocument stream (streams: {shown}), not a Word document"


def _stream(ole: Any, name: str, limit: int) -> bytes:
    """A stream's bytes; a stream said to be larger than the whole file is damage."""
    size: int = ole.get_size(name)
    if size > limit:
        raise UnreadableInput(
            f"{_DOC} unreadable: stream {name} claims {size:,} bytes in a {limit:,}-byte file"
        )
    data: bytes = ole.openstream(name).read(size)
    return data


# ---------------------------------------------------------------------- FIB
class _Fib:
    """What the reader needs of the File Information Block at the start of WordDocument."""

    def __init__(self, word: bytes) -> None:
        if len(word) < 34:
            raise UnreadableInput(f"{_DOC} unreadable: WordDocument stream truncated")
        ident, nfib = struct.unpack_from("<HH", word, 0)
        if ident != _W_IDENT:
            raise UnreadableInput(f"{_DOC} unreadable: no Word FIB (wIdent {ident:#06x})")
        flags = struct.unpack_from("<H", word, 0x0A)[0]
        self.encrypted = bool(flags & _F_ENCRYPTED) or bool(flags & _F_OBFUSCATED)
        if nfib < _NFIB_WORD97 and not self.encrypted:
            raise UnreadableInput(
                f"Word 6.0/95 document (.doc, nFib {nfib}): the pre-97 binary format is not read"
            )
        self.table_stream = "1Table" if flags & _F_WHICH_TBL_STM else "0Table"
        pos = 32
        csw = _u16(word, pos)
        pos += 2 + 2 * csw
        cslw = _u16(word, pos)
        rg_lw = pos + 2
        pos = rg_lw + 4 * cslw
        cb_rg_fc_lcb = _u16(word, pos)
        blob = pos + 2
        if self.encrypted:
            return
        if cslw < 4 or cb_rg_fc_lcb < 34 or blob + 34 * 8 > len(word):
            raise UnreadableInput(f"{_DOC} unreadable: FIB truncated")
        self.ccp_text = struct.unpack_from("<i", word, rg_lw + 3 * 4)[0]
        self.fc_clx, self.lcb_clx = struct.unpack_from("<II", word, blob + 33 * 8)
        self.fc_bte_papx, self.lcb_bte_papx = struct.unpack_from("<II", word, blob + 13 * 8)


def _u16(buf: bytes, pos: int) -> int:
    if pos + 2 > len(buf):
        raise UnreadableInput(f"{_DOC} unreadable: FIB truncated")
    value: int = struct.unpack_from("<H", buf, pos)[0]
    return value


# ---------------------------------------------------------------------- text
@dataclass(frozen=True)
class _Piece:
    cp: int  # first character position
    end: int  # one past the last
    fc: int  # byte offset of its first character in WordDocument
    width: int  # bytes per character: 1 (cp1252) or 2 (UTF-16LE)


def _main_text(word: bytes, table: bytes, fib: _Fib) -> tuple[str, list[_Piece]]:
    """The main document's text (its first ccpText characters) and its pieces."""
    clx = table[fib.fc_clx : fib.fc_clx + fib.lcb_clx]
    if fib.lcb_clx == 0 or len(clx) < fib.lcb_clx:
        raise UnreadableInput(f"{_DOC} unreadable: no piece table (CLX outside the table stream)")
    i = 0
    plc = b""
    while i < len(clx):
        kind = clx[i]
        if kind == 1:  # a Prc: property modifiers for pieces (not needed for text)
            if i + 3 > len(clx):
                break
            cb = struct.unpack_from("<h", clx, i + 1)[0]
            if cb < 0:
                break
            i += 3 + cb
        elif kind == 2:  # the Pcdt
            if i + 5 > len(clx):
                break
            lcb = struct.unpack_from("<I", clx, i + 1)[0]
            plc = clx[i + 5 : i + 5 + lcb]
            if len(plc) < lcb:
                plc = b""
            break
        else:
            break
    if len(plc) < 16 or (len(plc) - 4) % 12:
        raise UnreadableInput(f"{_DOC} unreadable: damaged piece table")
    n = (len(plc) - 4) // 12
    if n > MAX_PIECES:
        raise UnreadableInput(f"{_DOC} unreadable: {n:,} text pieces (over {MAX_PIECES:,})")
    cps = struct.unpack_from(f"<{n + 1}I", plc, 0)
    stop = min(max(fib.ccp_text, 0), cps[-1])
    if stop > MAX_TEXT_CHARS:
        raise UnreadableInput(
            f"{_DOC} unreadable: {stop:,} characters of text (over {MAX_TEXT_CHARS:,})"
        )
    parts: list[str] = []
    pieces: list[_Piece] = []
    at = 4 * (n + 1)
    for k in range(n):
        start, end = cps[k], min(cps[k + 1], stop)
        if start >= stop:
            break
        if end <= start:
            if cps[k + 1] < start:
                raise UnreadableInput(f"{_DOC} unreadable: piece table out of order")
            continue
        fc_raw = struct.unpack_from("<I", plc, at + 8 * k + 2)[0]
        if fc_raw & _COMPRESSED:
            fc, width = (fc_raw & _FC_MASK) // 2, 1
        else:
            fc, width = fc_raw & _FC_MASK, 2
        raw = word[fc : fc + (end - start) * width]
        if len(raw) < (end - start) * width:
            raise UnreadableInput(f"{_DOC} unreadable: text piece beyond the WordDocument stream")
        parts.append(_decode_cp1252(raw) if width == 1 else _decode_utf16(raw))
        pieces.append(_Piece(start, end, fc, width))
    if pieces and pieces[0].cp != 0:
        raise UnreadableInput(f"{_DOC} unreadable: piece table does not start the text")
    return "".join(parts), pieces


def _decode_utf16(raw: bytes) -> str:
    """UTF-16LE text, one character per 2 bytes, so that offsets in the text stay character
    positions: a character outside the BMP (a surrogate pair: rare characters of place and
    person names) is followed by a NUL, which `_CONTROL` drops; a lone surrogate is U+FFFD."""
    units = len(raw) // 2
    text = raw.decode("utf-16-le", "replace")
    if len(text) != units:
        text = _ASTRAL.sub(lambda m: m.group() + "\x00", text)
    if len(text) != units:  # (bad surrogates replaced unit by unit)
        text = "".join(
            "\ufffd" if 0xD800 <= u <= 0xDFFF else chr(u)
            for u in struct.unpack(f"<{units}H", raw[: 2 * units])
        )
    return text


def _decode_cp1252(raw: bytes) -> str:
    """8-bit ("compressed") text: cp1252, the five bytes it leaves undefined as themselves."""
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return "".join(
            bytes([b]).decode("cp1252", "strict")
            if b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
            else chr(b)
            for b in raw
        )


# ---------------------------------------------------------------------- paragraph properties
class _Papx:
    """Paragraph properties by file position (PlcBtePapx → PapxFkp pages, each read when a
    paragraph on it is first looked up)."""

    def __init__(self, word: bytes, table: bytes, extra: bytes, fib: _Fib) -> None:
        plc = table[fib.fc_bte_papx : fib.fc_bte_papx + fib.lcb_bte_papx]
        if fib.lcb_bte_papx < 12 or len(plc) < fib.lcb_bte_papx or (len(plc) - 4) % 8:
            raise UnreadableInput(
                f"{_DOC} unreadable: its tables' structure is unreadable (no paragraph properties)"
            )
        n = (len(plc) - 4) // 8
        if n > len(word) // _FKP + 1:
            raise UnreadableInput(f"{_DOC} unreadable: damaged paragraph properties")
        self._fcs = struct.unpack_from(f"<{n + 1}I", plc, 0)
        if any(a > b for a, b in zip(self._fcs, self._fcs[1:], strict=False)):
            raise UnreadableInput(f"{_DOC} unreadable: paragraph properties out of order")
        self._pns = [pn & 0x3FFFFF for pn in struct.unpack_from(f"<{n}I", plc, 4 * (n + 1))]
        self._word, self._extra = word, extra
        self._pages: dict[int, tuple[tuple[int, ...], list[bytes]]] = {}
        self._parsed: dict[bytes, _Props] = {}
        self._budget = MAX_PROPERTY_BYTES  # bytes of sprms still to be parsed

    def at(self, fc: int) -> _Props:
        k = bisect_right(self._fcs, fc) - 1
        if k < 0 or k >= len(self._pns):
            return _NO_PROPS
        rgfc, grpprls = self._page(k)
        j = bisect_right(rgfc, fc) - 1
        if j < 0 or j >= len(grpprls):
            return _NO_PROPS
        grpprl = grpprls[j]
        props = self._parsed.get(grpprl)
        if props is None:
            sprms = self._expanded(grpprl)
            props = self._parsed[grpprl] = _Props.of(sprms)
        return props

    def _page(self, k: int) -> tuple[tuple[int, ...], list[bytes]]:
        page_of = self._pages.get(k)
        if page_of is not None:
            return page_of
        at = self._pns[k] * _FKP
        page = self._word[at : at + _FKP]
        if len(page) < _FKP:
            raise UnreadableInput(f"{_DOC} unreadable: paragraph properties beyond the stream")
        crun = page[_FKP - 1]
        if 4 * (crun + 1) + 13 * crun > _FKP - 1:
            raise UnreadableInput(f"{_DOC} unreadable: damaged paragraph properties page")
        rgfc = struct.unpack_from(f"<{crun + 1}I", page, 0)
        grpprls = [_grpprl(page, page[4 * (crun + 1) + 13 * j]) for j in range(crun)]
        self._budget -= _FKP
        page_of = self._pages[k] = (rgfc, grpprls)
        return page_of

    def _expanded(self, grpprl: bytes) -> list[tuple[int, bytes]]:
        """The sprms of a grpprl, a sprmPHugePapx replaced by the sprms it points to in the
        Data stream (a PrcData: a 2-byte size, then the sprms: a row of many cells)."""
        out: list[tuple[int, bytes]] = []
        self._budget -= len(grpprl)
        for sprm, op in _sprms(grpprl):
            if sprm != _SPRM_P_HUGE_PAPX or len(op) != 4:
                out.append((sprm, op))
                continue
            at = struct.unpack("<I", op)[0]
            if at + 2 > len(self._extra):
                raise UnreadableInput(
                    f"{_DOC} unreadable: paragraph properties beyond the Data stream"
                )
            size = struct.unpack_from("<H", self._extra, at)[0]
            self._budget -= size
            out.extend(_sprms(self._extra[at + 2 : at + 2 + size]))
        if self._budget < 0:
            raise UnreadableInput(
                f"{_DOC} unreadable: over {MAX_PROPERTY_BYTES:,} bytes of paragraph properties"
            )
        return out


def _grpprl(page: bytes, b_offset: int) -> bytes:
    """The sprms of a PapxInFkp (after its 2-byte style index); none at offset 0."""
    if b_offset == 0:
        return b""
    off = 2 * b_offset
    cb = page[off] if off < _FKP else 0
    if cb == 0:
        if off + 1 >= _FKP:
            return b""
        size, start = 2 * page[off + 1], off + 2
    else:
        size, start = 2 * cb - 1, off + 1
    return page[start + 2 : min(start + size, _FKP)]


def _sprms(grpprl: bytes) -> list[tuple[int, bytes]]:
    """(sprm, operand) in order; a variable operand without its size prefix."""
    out: list[tuple[int, bytes]] = []
    i, n = 0, len(grpprl)
    while i + 2 <= n:
        sprm = grpprl[i] | grpprl[i + 1] << 8
        i += 2
        spra = sprm >> 13
        if spra != 6:
            size = _FIXED_OPERAND[spra]
            out.append((sprm, grpprl[i : i + size]))
            i += size
            continue
        if sprm in (_SPRM_T_DEF_TABLE, _SPRM_T_DEF_TABLE10):
            if i + 2 > n:
                break
            cb = grpprl[i] | grpprl[i + 1] << 8
            out.append((sprm, grpprl[i + 2 : i + 2 + max(cb - 1, 0)]))
            i += 2 + max(cb - 1, 0)
            continue
        if i >= n:
            break
        cb = grpprl[i]
        if sprm == _SPRM_P_CHG_TABS and cb == 255:  # the size is in the operand
            dels = grpprl[i + 1] if i + 1 < n else 0
            at = i + 2 + 4 * dels
            adds = grpprl[at] if at < n else 0
            cb = 1 + 4 * dels + 1 + 3 * adds
        out.append((sprm, grpprl[i + 1 : i + 1 + cb]))
        i += 1 + cb
    return out


@dataclass(frozen=True)
class _Props:
    """What a paragraph's properties say about tables."""

    depth: int = 0  # table nesting depth (0: not in a table)
    cell_end: bool = False  # a nested table's cell end (sprmPFInnerTableCell)
    row_end: bool = False  # a row end (sprmPFTtp, sprmPFInnerTtp)
    edges: tuple[int, ...] = ()  # the row's cell edges (sprmTDefTable rgdxaCenter)
    merges: tuple[int, ...] = ()  # per cell: tcgrf bits 0-1 (horizontal), 5-6 (vertical)

    @staticmethod
    def of(sprms: list[tuple[int, bytes]]) -> _Props:
        in_table = False
        itap: int | None = None
        dtap = 0
        cell_end = row_end = inner_ttp = False
        edges: tuple[int, ...] = ()
        merges: list[int] = []
        for sprm, op in sprms:
            if sprm == _SPRM_P_F_IN_TABLE:
                in_table = bool(op[:1] and op[0])
            elif sprm == _SPRM_P_F_TTP:
                row_end = bool(op[:1] and op[0])
            elif sprm == _SPRM_P_ITAP and len(op) == 4:
                itap = struct.unpack("<i", op)[0]
            elif sprm == _SPRM_P_DTAP and len(op) == 4:
                dtap += struct.unpack("<i", op)[0]
            elif sprm == _SPRM_P_F_INNER_TABLE_CELL:
                cell_end = bool(op[:1] and op[0])
            elif sprm == _SPRM_P_F_INNER_TTP:
                inner_ttp = bool(op[:1] and op[0])
            elif sprm == _SPRM_T_DEF_TABLE and op:
                count = op[0]
                have = min(count + 1, (len(op) - 1) // 2)
                edges = struct.unpack_from(f"<{have}h", op, 1)
                at = 1 + 2 * (count + 1)
                merges = [
                    struct.unpack_from("<H", op, at + 20 * k)[0]
                    for k in range(count)
                    if at + 20 * k + 2 <= len(op)
                ]
            elif sprm == _SPRM_T_VERT_MERGE and len(op) >= 2:
                itc, flag = op[0], op[1] & 3
                if itc < len(merges):
                    merges[itc] = (merges[itc] & ~0x60) | flag << 5
        depth = itap if itap is not None else (1 if in_table else 0)
        depth = max(0, min(depth + dtap, MAX_NESTING))
        if depth > 1:
            row_end = inner_ttp
        elif edges and depth == 1:
            row_end = True  # (a cell definition is only ever given on a row's end mark)
        return _Props(depth, cell_end, row_end, edges, tuple(merges))


_NO_PROPS = _Props()


# ---------------------------------------------------------------------- tables → rows
@dataclass
class _Table:
    rows: list[_RowNode] = field(default_factory=list)


@dataclass
class _CellNode:
    blocks: list[str | _Table] = field(default_factory=list)  # paragraph texts, nested tables


@dataclass
class _RowNode:
    cells: list[_CellNode]
    props: _Props


@dataclass
class _Level:
    """An open table at some depth: its rows so far, the open row's cells, the open cell."""

    table: _Table = field(default_factory=_Table)
    cells: list[_CellNode] = field(default_factory=list)
    cell: _CellNode = field(default_factory=_CellNode)


class _Builder:
    def __init__(self, text: str, pieces: list[_Piece], papx: _Papx | None) -> None:
        self.text, self.pieces, self.papx = text, pieces, papx
        self._piece_starts = [p.cp for p in pieces]
        self.blocks: list[str | _Table] = []  # the body: paragraph texts and tables
        self.levels: list[_Level] = []
        self.out: list[Row] = []
        self.line = 0
        self._fields: list[bool] = []  # open fields: True once in their result
        self._hidden = 0  # open fields still in their code

    def rows(self) -> list[Row]:
        text = self.text
        pos = 0
        for m in _MARK.finditer(text):
            cp = m.start()
            props = self._props(cp)
            if m.group() == "\x07" and props.depth == 0:
                props = _Props(1, False, False)  # a cell mark is in a table whatever it says
            self._paragraph(self._clean(text[pos:cp]), m.group(), props)
            pos = m.end()
        if pos < len(text):
            self._paragraph(self._clean(text[pos:]), "\r", _NO_PROPS)
        self._set_depth(0)
        self._emit(self.blocks)
        return self.out

    # ------------------------------------------------------------------ reading
    def _props(self, cp: int) -> _Props:
        if self.papx is None:
            return _NO_PROPS
        k = bisect_right(self._piece_starts, cp) - 1
        if k < 0:
            return _NO_PROPS
        piece = self.pieces[k]
        return self.papx.at(piece.fc + (cp - piece.cp) * piece.width)

    def _clean(self, raw: str) -> str:
        """A paragraph's printed text: field codes out, control characters mapped."""
        if not self._fields and _HAS_FIELD.search(raw) is None:
            return raw.translate(_CONTROL)
        kept: list[str] = []
        for ch in raw:
            if ch == "\x13":
                self._fields.append(False)
                self._hidden += 1
            elif ch == "\x14":
                if self._fields and not self._fields[-1]:
                    self._fields[-1] = True
                    self._hidden -= 1
            elif ch == "\x15":
                if self._fields and not self._fields.pop():
                    self._hidden -= 1
            elif not self._hidden:
                kept.append(ch)
        return "".join(kept).translate(_CONTROL)

    def _paragraph(self, text: str, mark: str, props: _Props) -> None:
        depth = props.depth
        self._set_depth(depth)
        if depth == 0:
            self.blocks.append(text)
            return
        level = self.levels[depth - 1]
        if props.row_end:
            if text.strip():
                level.cell.blocks.append(text)
            if level.cell.blocks:  # a cell left open before the row end
                level.cells.append(level.cell)
                level.cell = _CellNode()
            if level.cells:
                level.table.rows.append(_RowNode(level.cells, props))
            level.cells = []
            return
        level.cell.blocks.append(text)
        if (mark == "\x07" and depth == 1) or (depth > 1 and props.cell_end):
            level.cells.append(level.cell)
            level.cell = _CellNode()

    def _set_depth(self, depth: int) -> None:
        while len(self.levels) > depth:
            level = self.levels.pop()
            if level.cell.blocks:
                level.cells.append(level.cell)
            if level.cells:  # a row without its row-end mark
                level.table.rows.append(_RowNode(level.cells, _NO_PROPS))
            if level.table.rows:
                parent = self.levels[-1].cell.blocks if self.levels else self.blocks
                parent.append(level.table)
        while len(self.levels) < depth:
            self.levels.append(_Level())

    # ------------------------------------------------------------------ emitting
    def _emit(self, blocks: list[str | _Table]) -> None:
        for block in blocks:
            if isinstance(block, str):
                self.line += 1
                self.out.extend(paragraph_rows(block, self.line))
            else:
                self._emit_table(block)

    def _emit_table(self, table: _Table) -> None:
        grid = [_placed(row) for row in table.rows]
        _close_orphans(grid)
        rowspans = _rowspans(grid)
        columns = sorted({e for placed in grid for c in placed for e in (c.left, c.right)})
        for r, (row, placed) in enumerate(zip(table.rows, grid, strict=True)):
            self.line += 1
            if any(isinstance(b, _Table) for cell in row.cells for b in cell.blocks):
                for cell in row.cells:  # layout: the cells' blocks, in order
                    self._emit(cell.blocks)
                continue
            out = Row([], explicit=True)
            for c in placed:
                if c.v_merge == _V_CONTINUE:
                    continue  # covered by the merged cell above
                rowspan = rowspans[r].get(c.left, 1) if c.v_merge == _V_RESTART else 1
                colspan = max(1, bisect_right(columns, c.right) - bisect_right(columns, c.left))
                out.cells.append(Cell(cell_text(c.text), self.line, rowspan, colspan))
            if out.cells:
                self.out.append(out)


class _Placed:
    """A printed cell of a row: its raw text, edges (twips) and vertical merge flag."""

    __slots__ = ("text", "left", "right", "v_merge")

    def __init__(self, text: str, left: int, right: int, v_merge: int) -> None:
        self.text, self.left, self.right, self.v_merge = text, left, right, v_merge


def _placed(row: _RowNode) -> list[_Placed]:
    """The cells of a row placed by the row's cell definition (sprmTDefTable): edges and
    merge flags. A legacy horizontal merge (TC80 horzMerge: 1 first cell, 2/3 merged with
    the previous one) is one cell; Word prints a continuation cell's text, if it has any,
    in the merged cell. Without a definition the cells are placed by index."""
    edges, merges = row.props.edges, row.props.merges
    out: list[_Placed] = []
    for k, cell in enumerate(row.cells):
        text = "".join(b for b in cell.blocks if isinstance(b, str))
        if k + 1 < len(edges):
            left, right = edges[k], edges[k + 1]
        else:  # (no definition: a column per cell, far right of any defined one)
            left, right = 1_000_000 + k, 1_000_001 + k
        flags = merges[k] if k < len(merges) else 0
        if flags & 3 in (2, 3) and out:
            out[-1].text += text
            out[-1].right = max(out[-1].right, right)
            continue
        out.append(_Placed(text, left, right, (flags >> 5) & 3))
    return out


def _close_orphans(grid: list[list[_Placed]]) -> None:
    """A continuation cell with no vertical merge open above it at its edge is a cell of
    its own (as Word shows it)."""
    open_at: set[int] = set()
    for cells in grid:
        for c in cells:
            if c.v_merge == _V_RESTART:
                open_at.add(c.left)
            elif c.v_merge == _V_CONTINUE and c.left not in open_at:
                c.v_merge = 0
            elif c.v_merge == 0:
                open_at.discard(c.left)


def _rowspans(grid: list[list[_Placed]]) -> list[dict[int, int]]:
    """Per row: the rows a vertical merge starting there at edge `left` covers (left →
    rows), counted bottom-up in one pass."""
    out: list[dict[int, int]] = [{} for _ in grid]
    below: dict[int, int] = {}  # edge → continuation cells right below, in a row
    for r in range(len(grid) - 1, -1, -1):
        here: dict[int, int] = {}
        for c in grid[r]:
            if c.v_merge == _V_RESTART:
                out[r][c.left] = 1 + below.get(c.left, 0)
            elif c.v_merge == _V_CONTINUE:
                here[c.left] = 1 + below.get(c.left, 0)
        below = here
    return out
