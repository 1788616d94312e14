"""Word `.docx` → grid rows, the same rows the HTML reader builds for a page.

The body is read in document order: a paragraph outside a table becomes a one-cell row
(split at its manual line breaks, like `<br>` in a page; an empty paragraph gives no
row); each table row (`w:tr`) becomes one explicit row of the cells it prints. A merged
cell is printed once, in the first row and column it covers (a vertical merge's
continuation cells `w:vMerge` and legacy `w:hMerge` continuations are not cells of their
own; a `w:gridSpan` cell is one cell), exactly as the HTML reader gives a `rowspan` /
`colspan` cell (`Cell.rowspan`/`colspan` say how far it reaches; the HTML reader leaves
them 1). A "continue" cell with no merge open above it (a table split inside a merge) is
a cell of its own, as Word and LibreOffice show it. A cell's text is its
paragraphs joined with nothing between them and normalised like an HTML cell's
(`html_grid.normalise_cell`): "结果" + line break + "纠正" reads "结果纠正".

A table cell that holds a table of its own is layout, not data (whole reports pasted into
a one-cell frame): its paragraphs and tables are read as blocks, in order, like the body.

**Line** (`Cell.line`) for a `.docx`: the 1-based ordinal of the block a cell comes from,
counted over the body in document order, where a block is a paragraph outside table cells
or one table row. Every body paragraph (empty ones too) is one line and every table row is
one line; the paragraphs inside an ordinary cell belong to their row's line. (The blocks of
a layout cell, above, are counted as lines of their own after their row's line.)

The file is opened with `zipfile` and only `word/document.xml` is read, parsed by
python-docx's own oxml parser (no entity expansion). `docx.Document()` is not used: it
loads every part of the package (images included) and refuses a macro-enabled `.docm` or
template main part, whose body reads the same. Damaged input raises `UnreadableInput`
naming the type, never another exception; a `document.xml` beyond `MAX_DOCUMENT_XML` bytes
(a ZIP bomb) is refused before it is inflated, one of over `MAX_ELEMENTS` paragraphs and
cells before it is read.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from parsers.grid import Cell, Row
from parsers.html_grid import normalise_cell
from parsers.inputs import UnreadableInput
from parsers.normalise import normalise_line

#: An element of python-docx's XML tree (an lxml element; not imported here: XML only ever
#: goes through python-docx's own parser, and no module of ours imports lxml).
XmlElement = Any

#: The largest uncompressed `word/document.xml` read (a real report's is well under 5 MB).
MAX_DOCUMENT_XML = 50 * 1024 * 1024
#: The most paragraphs and table cells read (a report has a few thousand): beyond, refused.
MAX_ELEMENTS = 200_000
#: Tables nested deeper than this inside each other are read as text only.
MAX_NESTING = 16

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W_STRICT = b"http://purl.oclc.org/ooxml/wordprocessingml/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_P = f"{{{_W}}}p"
_TBL = f"{{{_W}}}tbl"
_TR = f"{{{_W}}}tr"
_TC = f"{{{_W}}}tc"
_R = f"{{{_W}}}r"
_T = f"{{{_W}}}t"
_TAB = f"{{{_W}}}tab"
_PTAB = f"{{{_W}}}ptab"
_BR = f"{{{_W}}}br"
_CR = f"{{{_W}}}cr"
_NO_BREAK_HYPHEN = f"{{{_W}}}noBreakHyphen"
_BODY = f"{{{_W}}}body"
_TC_PR = f"{{{_W}}}tcPr"
_TR_PR = f"{{{_W}}}trPr"
_R_PR = f"{{{_W}}}rPr"
_VANISH = f"{{{_W}}}vanish"
_GRID_SPAN = f"{{{_W}}}gridSpan"
_GRID_BEFORE = f"{{{_W}}}gridBefore"
_V_MERGE = f"{{{_W}}}vMerge"
_H_MERGE = f"{{{_W}}}hMerge"
_VAL = f"{{{_W}}}val"
# Wrappers whose children are read as if they stood in the wrapper's place.
_SDT = f"{{{_W}}}sdt"
_SDT_CONTENT = f"{{{_W}}}sdtContent"
_CUSTOM_XML = f"{{{_W}}}customXml"
# Subtrees whose text Word does not print: tracked deletions and moves away, property
# blocks, and the fallback copy of a text box (the same text as its `mc:Choice`).
_SKIP_IN_PARAGRAPH = frozenset(
    {
        f"{{{_W}}}del",
        f"{{{_W}}}moveFrom",
        f"{{{_W}}}pPr",
        _R_PR,
        f"{{{_MC}}}Fallback",
    }
)
_OFF = frozenset({"0", "false", "off"})
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
#: Pictures read at most from one document, and the largest one read (uncompressed): a
#: report's pages pasted as scans are a few dozen, each a few megabytes at most.
MAX_PICTURES = 50
MAX_PICTURE_BYTES = 40 * 1024 * 1024


def rows_from_docx(data: bytes) -> list[Row]:
    """Grid rows of a `.docx` (see the module docstring). Raises `UnreadableInput`."""
    with _refused_when_damaged():
        body = _body(data)
        reader = _Reader()
        reader.blocks(body, 0)
    return reader.rows


@contextmanager
def _refused_when_damaged() -> Iterator[None]:
    """Any damage met reading a `.docx` becomes `UnreadableInput` (a refusal, never a crash)."""
    try:
        yield
    except UnreadableInput:
        raise
    except RecursionError:
        raise UnreadableInput("Word document (.docx) unreadable: nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - any damage is a refusal, never a crash
        raise UnreadableInput(f"Word document (.docx) unreadable: {_cause(exc)}") from None


def docx_pictures(data: bytes) -> list[str | bytes]:
    """The body of a `.docx` whose tables are pictures, as OCR reads it: each paragraph's
    text (a one-line string per printed line; the paragraphs of table cells too) and each
    picture it shows (the image file's bytes, each picture once, `MAX_PICTURES` at most),
    in document order. No picture: []. Raises `UnreadableInput` as `rows_from_docx` does.

    The pictures are the package's parts the body's drawings (`a:blip r:embed`) and legacy
    VML images (`v:imagedata r:id`) point to, through `word/_rels/document.xml.rels`; an
    external link is no picture of the document. Each is checked for size before it is
    inflated."""
    with _refused_when_damaged():
        pictures = _pictures(data)
    return pictures


def _pictures(data: bytes) -> list[str | bytes]:
    from docx.oxml.parser import parse_xml

    body = _body(data)
    out: list[str | bytes] = []
    wanted: list[tuple[int, str]] = []  # (index in out, relationship id)
    for el in body.iter(_P, _BLIP, _IMAGEDATA):
        if el.tag == _P:
            if next(el.iterancestors(_P), None) is None:  # (a text box's: read with its own)
                for row in paragraph_rows("".join(_text_parts(el)), 0):
                    out.append(row.text)
            continue
        rel = el.get(f"{{{_REL}}}embed") or el.get(f"{{{_REL}}}id")
        if rel and rel not in {r for _, r in wanted}:
            wanted.append((len(out), rel))
            out.append(b"")
    if not wanted:
        return []
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        try:
            rels = parse_xml(_member(zf, "word/_rels/document.xml.rels", MAX_DOCUMENT_XML))
        except KeyError:
            return []
        targets = {
            r.get("Id"): r.get("Target", "")
            for r in rels.iter(_RELATIONSHIP)
            if r.get("TargetMode", "Internal") != "External"
        }
        seen: set[str] = set()
        for index, rel in wanted[:MAX_PICTURES]:
            target = targets.get(rel)
            if not target:
                continue
            path = target.lstrip("/") if target.startswith("/") else f"word/{target}"
            path = posixpath.normpath(path)
            if path in seen:
                continue
            seen.add(path)
            try:
                out[index] = _member(zf, path, MAX_PICTURE_BYTES)
            except (KeyError, UnreadableInput):
                continue  # (a picture missing or too large: the others are read)
    return [part for part in out if part != b""]


def _member(zf: zipfile.ZipFile, name: str, limit: int) -> bytes:
    """A ZIP member's bytes, its size checked before it is inflated (`KeyError`: none)."""
    info = zf.getinfo(name)
    if info.file_size > limit or info.flag_bits & 0x1:
        raise UnreadableInput(f"Word document (.docx): {name} too large or encrypted")
    with zf.open(info) as member:
        return member.read(limit + 1)


def _body(data: bytes) -> XmlElement:
    """`word/document.xml`'s body, its size checked before it is inflated."""
    from docx.oxml.parser import parse_xml

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise UnreadableInput(f"Word document (.docx) unreadable: damaged ZIP ({exc})") from None
    with zf:
        try:
            info = zf.getinfo("word/document.xml")
        except KeyError:
            raise UnreadableInput(
                "Word document (.docx) unreadable: word/document.xml missing"
            ) from None
        if info.file_size > MAX_DOCUMENT_XML:
            raise UnreadableInput(
                f"Word document (.docx) unreadable: word/document.xml is {info.file_size:,} "
                f"bytes uncompressed (over {MAX_DOCUMENT_XML:,}; a ZIP bomb?)"
            )
        if info.flag_bits & 0x1:
            raise UnreadableInput("Word document (.docx) unreadable: ZIP member is encrypted")
        with zf.open(info) as member:
            # (the member stream stops at the size the directory gives, checked above)
            xml = member.read(MAX_DOCUMENT_XML + 1)
    if _W_STRICT in xml:
        xml = xml.replace(_W_STRICT, _W.encode())  # Strict OOXML: the same vocabulary
    root = parse_xml(xml)
    body = root.find(_BODY)
    if body is None:
        raise UnreadableInput("Word document (.docx) unreadable: no document body")
    count = 0
    for _ in body.iter(_P, _TC):
        count += 1
        if count > MAX_ELEMENTS:
            raise UnreadableInput(
                f"Word document (.docx) unreadable: over {MAX_ELEMENTS:,} paragraphs and "
                "table cells"
            )
    return body


def _cause(exc: Exception) -> str:
    """A short cause for a refusal."""
    name = type(exc).__name__
    if name == "XMLSyntaxError":
        return f"bad XML in word/document.xml ({str(exc)[:150]})"
    if isinstance(exc, zipfile.BadZipFile | EOFError | zlib.error):
        return f"damaged ZIP ({str(exc)[:150]})"
    if isinstance(exc, NotImplementedError):
        return f"unsupported ZIP compression ({str(exc)[:150]})"
    if isinstance(exc, MemoryError):
        return "out of memory"
    return f"{name}: {str(exc)[:150]}"


class _Reader:
    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.line = 0  # the last block's ordinal

    # ------------------------------------------------------------------ blocks
    def blocks(self, parent: XmlElement, depth: int) -> None:
        """The paragraphs and tables under `parent` (a body or a layout cell), in order."""
        for child in _content(parent):
            tag = child.tag
            if tag == _P:
                self.line += 1
                self._paragraph(child)
            elif tag == _TBL:
                self._table(child, depth + 1)

    def _paragraph(self, p: XmlElement) -> None:
        self.rows.extend(paragraph_rows("".join(_text_parts(p)), self.line))

    # ------------------------------------------------------------------ tables
    def _table(self, tbl: XmlElement, depth: int) -> None:
        if depth > MAX_NESTING:  # read as text, one row per paragraph
            for p in tbl.iter(_P):
                self.line += 1
                self._paragraph(p)
            return
        grid = [_grid_cells(tr) for tr in _rows_of(tbl)]
        _close_orphans(grid)
        rowspans = _rowspans(grid)
        for r, cells in enumerate(grid):
            self.line += 1
            if any(_holds_table(c.tc) for c in cells):
                for c in cells:
                    self.blocks(c.tc, depth)
                continue
            line = self.line
            row = Row([], explicit=True)
            for c in cells:
                if c.merge == "continue":
                    continue  # covered by the merged cell above
                rowspan = rowspans[r].get(c.col, 1) if c.merge == "restart" else 1
                row.cells.append(Cell(_cell_text(c.tc), line, rowspan, c.span))
            if row.cells:
                self.rows.append(row)


def _content(parent: XmlElement) -> Iterator[XmlElement]:
    """Children of a body/cell, with content-control and custom-XML wrappers opened."""
    for child in parent:
        tag = child.tag
        if tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _content(content)
        elif tag == _CUSTOM_XML:
            yield from _content(child)
        else:
            yield child


def _rows_of(tbl: XmlElement) -> Iterator[XmlElement]:
    for child in _content(tbl):
        if child.tag == _TR:
            yield child


class _Tc:
    """One `w:tc` of a row: its grid column, the columns it spans, and its merge."""

    __slots__ = ("col", "tc", "span", "merge")

    def __init__(self, col: int, tc: XmlElement, span: int, merge: str | None) -> None:
        self.col, self.tc, self.span, self.merge = col, tc, span, merge


def _grid_cells(tr: XmlElement) -> list[_Tc]:
    """The cells of a row with their grid columns. A merge is vertical (`w:vMerge`: each
    continuation is a cell of its own in the XML) or a legacy horizontal one (`w:hMerge`:
    its continuations widen the cell they continue); `merge` is "restart", "continue" (not
    printed) or None."""
    col = 0
    tr_pr = tr.find(_TR_PR)
    if tr_pr is not None:
        before = tr_pr.find(_GRID_BEFORE)
        if before is not None:
            col = max(0, min(_int(before.get(_VAL), 0), 1000))
    cells: list[_Tc] = []
    open_h: _Tc | None = None  # the open legacy horizontal merge
    for tc in _content(tr):
        if tc.tag != _TC:
            continue
        span, v_merge, h_merge = 1, None, None
        tc_pr = tc.find(_TC_PR)
        if tc_pr is not None:
            gs = tc_pr.find(_GRID_SPAN)
            if gs is not None:
                span = max(1, min(_int(gs.get(_VAL), 1), 1000))
            vm = tc_pr.find(_V_MERGE)
            if vm is not None:
                v_merge = "restart" if vm.get(_VAL) == "restart" else "continue"
            hm = tc_pr.find(_H_MERGE)
            if hm is not None:
                h_merge = "restart" if hm.get(_VAL) == "restart" else "continue"
        if h_merge == "continue" and open_h is not None:
            open_h.span += span
            col += span
            continue
        cell = _Tc(col, tc, span, v_merge)
        open_h = cell if h_merge == "restart" else None
        cells.append(cell)
        col += span
    return cells


def _close_orphans(grid: list[list[_Tc]]) -> None:
    """A "continue" cell with no vertical merge open above it in its column (a table split
    in two inside a merge) is a cell of its own, as Word and LibreOffice show it."""
    open_at: set[int] = set()
    for cells in grid:
        for c in cells:
            if c.merge == "restart":
                open_at.add(c.col)
            elif c.merge == "continue" and c.col not in open_at:
                c.merge = None
            elif c.merge is None:
                open_at.discard(c.col)


def _rowspans(grid: list[list[_Tc]]) -> list[dict[int, int]]:
    """Per row: the rows a vertical merge starting there in grid column `col` covers (col →
    rows), counted bottom-up in one pass."""
    out: list[dict[int, int]] = [{} for _ in grid]
    below: dict[int, int] = {}  # column → continuation cells right below, in a row
    for r in range(len(grid) - 1, -1, -1):
        here: dict[int, int] = {}
        for c in grid[r]:
            if c.merge == "restart":
                out[r][c.col] = 1 + below.get(c.col, 0)
            elif c.merge == "continue":
                here[c.col] = 1 + below.get(c.col, 0)
        below = here
    return out


def _holds_table(tc: XmlElement) -> bool:
    return any(child.tag == _TBL for child in _content(tc))


def _cell_text(tc: XmlElement) -> str:
    """A cell's paragraphs joined with nothing between them, normalised like an HTML cell."""
    parts: list[str] = []
    for child in _content(tc):
        if child.tag == _P:
            parts.extend(_text_parts(child))
    return cell_text("".join(parts))


def cell_text(text: str) -> str:
    """A cell's raw text (its paragraphs joined with nothing between them), normalised as
    the HTML reader normalises a cell: line breaks dropped, NFKC, spaces folded, stripped.
    (Shared with the `.doc` reader.)"""
    text = text.replace("\t", " ")
    core = text.strip()
    if not core or core.isascii() and "  " not in core and "\n" not in core:
        return core  # (plain ASCII text is already canonical)
    return normalise_cell(text)


def paragraph_rows(text: str, line: int) -> list[Row]:
    """A paragraph outside cells: a one-cell row per line of it (split at manual line
    breaks, like `<br>` in a page), normalised like the HTML reader's text blocks; none for
    an empty one. (Shared with the `.doc` reader.)"""
    rows: list[Row] = []
    for part in text.split("\n"):
        if part and not part.isspace():
            part = normalise_line(part.replace("\t", " ")).strip()
            if part:
                rows.append(Row([Cell(part, line)], explicit=False))
    return rows


def _text_parts(p: XmlElement) -> list[str]:
    """The printed text of a paragraph: runs (hyperlinks, fields' results, smart tags and
    tracked insertions included), `\\n` for a manual line break, `\\t` for a tab."""
    parts: list[str] = []
    stack: list[Iterator[XmlElement]] = [iter(p)]
    while stack:
        for el in stack[-1]:
            tag = el.tag
            if tag == _T:
                if el.text:
                    parts.append(el.text)
            elif tag == _R:
                if not _hidden(el):
                    stack.append(iter(el))
                    break
            elif tag == _TAB or tag == _PTAB:
                parts.append("\t")
            elif tag == _BR or tag == _CR:
                parts.append("\n")
            elif tag == _NO_BREAK_HYPHEN:
                parts.append("-")
            elif tag == _P:
                parts.append("\n")  # a text box's paragraph inside this one
                stack.append(iter(el))
                break
            elif tag not in _SKIP_IN_PARAGRAPH and isinstance(tag, str) and len(el):
                stack.append(iter(el))  # hyperlink, field, smart tag, insertion, drawing…
                break
        else:
            stack.pop()
    return parts


def _hidden(r: XmlElement) -> bool:
    """A run formatted as hidden text (`w:vanish`): Word does not print it."""
    r_pr = r.find(_R_PR)
    if r_pr is None:
        return False
    vanish = r_pr.find(_VANISH)
    return vanish is not None and vanish.get(_VAL, "true").lower() not in _OFF


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default
