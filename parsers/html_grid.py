"""HTML (a whole web page, a fragment, or markup inside a JS string) → grid rows.

The page is parsed, never rendered or evaluated. Text blocks outside tables become
single-cell rows (headings, title, narrative); each `<tr>` becomes one explicit row of
the cells it prints. Cells covered by a rowspan/colspan are not repeated: the readers
take a row's printed value cells in order, which is what the reports' own grids mean.
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

from parsers.grid import Cell, Row
from parsers.normalise import normalise_line

_JS_ESCAPES = re.compile(r"\\(u[0-9a-fA-F]{4}|.)")
_SKIP = {"script", "style", "noscript", "template", "head", "title", "select", "option", "button"}
_BLOCK = {
    "p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article",
    "header", "footer", "table", "ul", "ol", "dd", "dt", "hr", "form", "body",
}  # fmt: skip

_TAG = re.compile(r"<\s*(table|tr|td|p|div|br|span)\b", re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    return len(_TAG.findall(text[:400_000])) >= 5


def _unescape_js(match: re.Match[str]) -> str:
    esc = match.group(1)
    if esc.startswith("u") and len(esc) == 5:
        return chr(int(esc[1:], 16))
    return {"n": " ", "t": " ", "r": " "}.get(esc, esc)


def unescape_js_strings(text: str) -> str:
    r"""Markup inside a JS string literal: `\"` → `"`; `\n` → a space (keeps line numbers)."""
    if text.count('\\"') < 10 and text.count("\\'") < 10:
        return text
    return _JS_ESCAPES.sub(_unescape_js, text)


# A plain tag: `<td>`, `<td rowspan="2" class=x>`, `<br/>`, `</tr >` — name, attributes with
# quoted or simple bare values, ASCII spaces only. For these the stdlib parser's events are
# known without running it (its name/attribute scanners read them the same way); anything
# else (odd attributes, stray `<`, comments, declarations) goes through the stdlib's own
# methods, so the events are the same as `HTMLParser.feed` gives, only fewer Python calls.
_WS = r"[ \t\n\r\f]"
_PLAIN_START_TAG = (
    r"<([a-zA-Z][a-zA-Z0-9]*)"  # the name
    rf"(?:{_WS}+[a-zA-Z_:][-a-zA-Z0-9_:.]*"  # an attribute …
    rf"""(?:{_WS}*={_WS}*(?:"[^"]*"|'[^']*'|[^\s"'=<>`/]+(?={_WS}|>)))?)*"""  # … = value
    rf"{_WS}*(/?)>"
)
_PLAIN_END_TAG = rf"</([a-zA-Z][a-zA-Z0-9]*){_WS}*>"
_PLAIN_START = re.compile(_PLAIN_START_TAG)
_PLAIN_END = re.compile(_PLAIN_END_TAG)
# What normalise_line would change in a cell's stripped text (or in the blank around it):
# anything non-ASCII, an entity, Markdown marks, a line break, a double space.
_NEEDS_NORMALISING = re.compile(r"[^\x00-\x7f]|[&#*_\n]|  ")
# Text up to the next `<`, and the text of the tag there up to the first `>`: one match per
# tag. Whether that text is a plain tag (and which) is decided once per distinct tag text —
# a page repeats a few dozen of them — by the full patterns above; when it is not (a quoted
# `>` in an attribute, a comment …) the tag goes through the general path, which tries the
# same patterns at the same position, so the events are the same either way.
_TEXT_AND_TAG_TEXT = re.compile(r"([^<]*)(<[^<>]*>)?")
_NOT_PLAIN = ("", False, "")
_PLAIN_TAGS: dict[str, tuple[str, bool, str]] = {}  # tag text → (name, is end tag, "/" or "")
_MAX_PLAIN_TAGS = 20_000  # entries (then it starts again), of at most …
_MAX_CACHED_TAG = 256  # … characters each (a data: URL in an attribute can be megabytes)


def _plain_tag(tag_text: str) -> tuple[str, bool, str]:
    m = _PLAIN_START.fullmatch(tag_text)
    if m is not None:
        kind = (m.group(1).lower(), False, m.group(2))
    else:
        m = _PLAIN_END.fullmatch(tag_text)
        kind = (m.group(1).lower(), True, "") if m is not None else _NOT_PLAIN
    _keep(_PLAIN_TAGS, tag_text, kind, _MAX_CACHED_TAG, _MAX_PLAIN_TAGS)
    return kind


def _keep(cache: dict, text: str, value, max_chars: int, max_entries: int) -> None:
    """Remember `value` for a short `text`; a full cache starts again (memory stays bounded
    per worker whatever the pages hold)."""
    if len(text) <= max_chars:
        if len(cache) >= max_entries:
            cache.clear()
        cache[text] = value


# A cell's normalised text, kept per distinct raw text: the labels of the statutory tables
# are printed the same way in report after report, and normalising one (NFKC, spaces,
# entities) costs ~30× a dict lookup. Bounded like the tag cache (`_keep`).
_NORMALISED_CELLS: dict[str, str] = {}
_MAX_NORMALISED_CELLS = 20_000
_MAX_CACHED_CELL = 64


def normalise_cell(text: str) -> str:
    core = normalise_line(text.replace("\n", "")).strip()
    if core:  # (an empty result is not kept: the caller's lookup treats "" as a miss)
        _keep(_NORMALISED_CELLS, text, core, _MAX_CACHED_CELL, _MAX_NORMALISED_CELLS)
    return core


class _GridBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[Row] = []
        self._skip_depth = 0
        self._table_depth = 0
        self._text: list[str] = []
        self._text_at = 0  # where the pending text starts (its line is found when kept)
        self._row: Row | None = None
        self._cell: list[str] | None = None
        self._cell_blank = True  # no printed character in the open cell yet
        self._cell_at = 0  # where the cell's printed text starts (or its <td>) …
        self._cell_lead = 0  # … and the line breaks before it in that data chunk
        # where the scan is, and a line number known at an earlier position
        self._pos = 0
        self._known_pos = 0
        self._known_line = 1

    def getpos(self) -> tuple[int, int]:
        """(line, 0) of the scan position (the stdlib's column is not used here)."""
        return self._line_at(self._pos), 0

    def _line_at(self, pos: int) -> int:
        """1-based line of a position, counted from the last one asked for."""
        if pos >= self._known_pos:
            self._known_line += self.rawdata.count("\n", self._known_pos, pos)
        else:
            self._known_line -= self.rawdata.count("\n", pos, self._known_pos)
        self._known_pos = pos
        return self._known_line

    def scan(self, text: str) -> None:
        """`feed(text)` + `close()` of the stdlib parser, with fast paths for plain tags."""
        self.rawdata = rawdata = text
        n = len(rawdata)
        i = 0
        while i < n:
            cdata = self.cdata_elem
            if cdata is None:  # the common case: text, then a plain tag
                m = _TEXT_AND_TAG_TEXT.match(rawdata, i)
                assert m is not None  # (it matches everywhere: both groups may be empty)
                data, tag_text = m.group(1, 2)
                if data:
                    self._pos = i
                    self.handle_data(unescape(data))
                    i += len(data)
                if tag_text is not None:
                    kind = _PLAIN_TAGS.get(tag_text) or _plain_tag(tag_text)
                    if kind is not _NOT_PLAIN:
                        name, is_end, selfclosing = kind
                        self._pos = i
                        if is_end:
                            self.handle_endtag(name)  # (no CDATA mode to clear)
                        else:
                            self._start(name, selfclosing)
                        i = m.end()
                        continue
                if i == n:
                    break
            if cdata is None:
                j = rawdata.find("<", i)
                if j < 0:
                    j = n
            else:
                match = self.interesting.search(rawdata, i)
                if not match:
                    break
                j = match.start()
            if i < j:
                self._pos = i
                self.handle_data(rawdata[i:j] if cdata else unescape(rawdata[i:j]))
            i = j
            if i == n:
                break
            self._pos = i
            nxt = rawdata[i + 1 : i + 2]
            if nxt.isascii() and nxt.isalpha():
                m = _PLAIN_START.match(rawdata, i)
                if m is None:
                    k = self.parse_starttag(i)
                else:
                    self._start(m.group(1).lower(), m.group(2))
                    k = m.end()
            elif nxt == "/":
                m = _PLAIN_END.match(rawdata, i)
                tag = m.group(1).lower() if m else ""
                if m is not None and (cdata is None or tag == cdata):
                    self.handle_endtag(tag)
                    self.clear_cdata_mode()
                    k = m.end()
                else:
                    k = self.parse_endtag(i)
            elif rawdata.startswith("<!--", i):
                k = self.parse_comment(i)
            elif nxt == "?":
                k = self.parse_pi(i)
            elif nxt == "!":
                k = self.parse_html_declaration(i)
            elif i + 1 < n:
                self.handle_data("<")
                k = i + 1
            else:
                break
            if k < 0:  # an unterminated construct at the end: its text is data
                k = rawdata.find(">", i + 1)
                if k < 0:
                    k = rawdata.find("<", i + 1)
                    if k < 0:
                        k = i + 1
                else:
                    k += 1
                self.handle_data(rawdata[i:k] if self.cdata_elem else unescape(rawdata[i:k]))
            i = k
        if i < n and not self.cdata_elem:
            self._pos = i
            self.handle_data(unescape(rawdata[i:n]))

    def _start(self, tag: str, selfclosing: str) -> None:
        if selfclosing:
            self.handle_startendtag(tag, [])
        else:
            self.handle_starttag(tag, [])
            if tag in self.CDATA_CONTENT_ELEMENTS:
                self.set_cdata_mode(tag)

    # text outside cells -------------------------------------------------
    def _flush_text(self) -> None:
        if self._text:
            text = "".join(self._text)
            if not text.isspace():  # (blank text normalises to nothing)
                text = normalise_line(text).strip()
                if text:
                    self.rows.append(
                        Row([Cell(text, self._line_at(self._text_at))], explicit=False)
                    )
            self._text = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self._skip_depth += 1
            return
        if tag == "table":
            self._flush_text()
            self._table_depth += 1
        elif tag == "tr" and self._table_depth:
            self._close_row()
            self._row = Row([], explicit=True)
        elif (tag == "td" or tag == "th") and self._table_depth:
            if self._row is None:
                self._row = Row([], explicit=True)
            self._close_cell()
            self._cell = []
            self._cell_blank = True
            self._cell_at, self._cell_lead = self._pos, 0
        elif tag in _BLOCK and self._cell is None:
            self._flush_text()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK and self._cell is None and not self._skip_depth:
            self._flush_text()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if tag == "td" or tag == "th":
            self._close_cell()
        elif tag == "tr":
            self._close_row()
        elif tag == "table" and self._table_depth:
            self._close_row()
            self._table_depth -= 1
        elif tag in _BLOCK and self._cell is None:
            self._flush_text()

    def handle_data(self, data: str) -> None:
        if self._skip_depth:
            return
        if self._cell is not None:
            if self._cell_blank and data and not data.isspace():
                # the line where the cell's text is printed, not where its <td> opens
                lead = data[: len(data) - len(data.lstrip())]
                self._cell_at, self._cell_lead = self._pos, lead.count("\n")
                self._cell_blank = False
            self._cell.append(data)
            return
        if not self._text:
            self._text_at = self._pos
        self._text.append(data)

    def _close_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            text = "".join(self._cell)
            core = text.strip()
            if _NEEDS_NORMALISING.search(core):  # (plain ASCII text is already canonical)
                core = _NORMALISED_CELLS.get(text) or normalise_cell(text)
            self._row.cells.append(Cell(core, self._line_at(self._cell_at) + self._cell_lead))
        self._cell = None

    def _close_row(self) -> None:
        self._close_cell()
        if self._row is not None and self._row.cells:
            self.rows.append(self._row)
        self._row = None

    def finish(self) -> list[Row]:
        self._close_row()
        self._flush_text()
        self.rawdata = ""
        return self.rows


def rows_from_html(text: str) -> list[Row]:
    builder = _GridBuilder()
    builder.scan(unescape_js_strings(text))
    return builder.finish()
