"""HTML (a whole web page, a fragment, or markup inside a JS string) → grid rows.

The page is parsed, never rendered or evaluated. Text blocks outside tables become
single-cell rows (headings, title, narrative); each `<tr>` becomes one explicit row of
the cells it prints. Cells covered by a rowspan/colspan are not repeated: the readers
take a row's printed value cells in order, which is what the reports' own grids mean.
"""

from __future__ import annotations

import re
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


class _GridBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[Row] = []
        self._skip_depth = 0
        self._table_depth = 0
        self._text: list[str] = []
        self._text_line = 0
        self._row: Row | None = None
        self._cell: list[str] | None = None
        self._cell_line = 0

    # text outside cells -------------------------------------------------
    def _flush_text(self) -> None:
        text = normalise_line("".join(self._text)).strip()
        if text:
            self.rows.append(Row([Cell(text, self._text_line)], explicit=False))
        self._text = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        if tag in _SKIP:
            self._skip_depth += 1
            return
        if tag == "table":
            self._flush_text()
            self._table_depth += 1
        elif tag == "tr" and self._table_depth:
            self._close_row()
            self._row = Row([], explicit=True)
        elif tag in ("td", "th") and self._table_depth:
            if self._row is None:
                self._row = Row([], explicit=True)
            self._close_cell()
            self._cell = []
            self._cell_line = line
        elif tag in _BLOCK and self._cell is None:
            self._flush_text()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK and self._cell is None and not self._skip_depth:
            self._flush_text()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self._skip_depth = max(0, self._skip_depth - 1)
            return
        if tag in ("td", "th"):
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
            if not "".join(self._cell).strip() and data.strip():
                # the line where the cell's text is printed, not where its <td> opens
                lead = data[: len(data) - len(data.lstrip())]
                self._cell_line = self.getpos()[0] + lead.count("\n")
            self._cell.append(data)
            return
        if not self._text:
            self._text_line = self.getpos()[0]
        self._text.append(data)

    def _close_cell(self) -> None:
        if self._cell is not None and self._row is not None:
            text = normalise_line("".join(self._cell).replace("\n", "")).strip()
            self._row.cells.append(Cell(text, self._cell_line))
        self._cell = None

    def _close_row(self) -> None:
        self._close_cell()
        if self._row is not None and self._row.cells:
            self.rows.append(self._row)
        self._row = None

    def finish(self) -> list[Row]:
        self.close()
        self._close_row()
        self._flush_text()
        return self.rows


def rows_from_html(text: str) -> list[Row]:
    builder = _GridBuilder()
    builder.feed(unescape_js_strings(text))
    return builder.finish()
