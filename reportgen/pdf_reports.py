"""Generated reports as real PDFs: known figures drawn the way PDF producers draw tables.

A pure module (it reads the committed font subset; the fixture makers, run by hand, write
files): the same figures, options and seed give the same bytes. `pdf_of(figures, rng,
options)` returns the PDF; `render_pdf` returns it with the page every table row was drawn
on.

The document comes from `reportgen.generator.build_doc` (title, narrative, the three statutory
tables as grids of cells with rowspan/colspan), set with reportlab on A4 pages: paragraphs
wrapped to the page, tables as ruled grids (one line segment, or one thin filled rectangle,
per cell edge, as Word and WPS export them) with each cell's text positioned by itself
(`drawString`, or glyph by glyph), labels wrapped inside their cell and figures centred
vertically in their row.

Fonts. By default Chinese text is in reportlab's built-in CID font `STSong-Light`
(UniGB-UCS2-H, not embedded: PDFium maps it back to Unicode, no font file needed). Not
embedded, a glyph's box is known to PDFium only if some installed font has the glyph, and
PDFium drops a text object whose box has no width: a lone glyph ("0" alone in its cell) is
drawn with a trailing space (`_no_lone_glyph`), and text on a turned page (whose glyph
boxes line up vertically) needs `font=EMBEDDED`: tests/fixtures/pdf_generated/cjk_subset.ttf,
the generator's characters cut from Droid Sans Fallback (Debian fonts-droid-fallback,
Apache-2.0) and committed, with Helvetica for ASCII and the few marks it lacks (as word
processors draw Latin text in a Latin font). Either way the text reads the same on any
machine, CJK fonts installed or not.

Options (`PdfOptions`), each modelled on what real producers do:

    split_table     table 3 broken over two pages, its three header rows repeated
    wrapped_labels  narrow label column: long row labels over 2–3 lines
    vertical_labels 三、本年度办理结果 one character per line in a one-character-wide merged
                    first column (the 2021 form's own template)
    rotated         90 or 270: tables 3 and 4 on landscape pages, portrait pages turned by
                    /Rotate with their content drawn turned so that it displays upright
    column_order    each table's content stream emitted column by column (all of column 1 top
                    to bottom, then column 2, …) instead of row by row
    page_marks      page footers/headers: — 3 —, 第 3 页 共 5 页
    char_by_char    every glyph its own text-showing operation
    rect_rules      rulings as thin filled rectangles (Word) rather than stroked lines
    column_rules    the cells' vertical borders along one x drawn as one long ruling where
                    they meet (as the real PDFs' producers do: a column line down the table,
                    broken only where a merged cell spans the boundary), not cell by cell
    object_streams  the file packed as Word and Acrobat write PDF 1.5: every object that is no
                    stream inside a compressed object stream, a cross-reference stream
                    instead of the xref table
    encrypt         "owner": an owner password and an empty user password (opens without
                    one); "user": a user password is needed to open it
    scanned         every page rendered to an image: an image-only PDF, no text layer
    font            None: STSong-Light; EMBEDDED: the committed subset (embedded by
                    reportlab as 256-code TrueType subsets with /ToUnicode maps); a
                    TrueType file: for `make_truetype_fixtures`, which also strips the maps
    noise           the generator's print noise (full-width digits, 件, thousands separators,
                    header cells split, odd spaces, no title, no signature)
"""

from __future__ import annotations

import io
import random
import re
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

from reportgen import paths
from reportgen.generator import (
    ORGAN_NAME,
    T2_BLOCKS,
    C,
    Doc,
    Figures,
    Noise,
    Table,
    build_doc,
)

CID_FONT = "STSong-Light"
PORTRAIT = (595.0, 842.0)  # A4 in points
OWNER_PASSWORD = "owner-secret"
USER_PASSWORD = "user-secret"
FIXTURES = paths.FIXTURES / "pdf_generated"
#: `PdfOptions.font` for the committed TrueType subset (with FALLBACK_FONT for what it lacks)
EMBEDDED = "embedded"


@dataclass(frozen=True)
class PdfOptions:
    split_table: bool = False
    wrapped_labels: bool = False
    vertical_labels: bool = False
    rotated: int = 0  # 0, 90 or 270
    column_order: bool = False
    page_marks: bool = False
    char_by_char: bool = False
    rect_rules: bool = False
    column_rules: bool = False
    encrypt: str | None = None  # None, "owner" or "user"
    scanned: bool = False
    object_streams: bool = False  # PDF 1.5 packing: objects in an /ObjStm, an /XRef stream
    font: str | None = None  # None: STSong-Light; EMBEDDED; a TrueType file (fixture making)
    noise: Noise = field(default_factory=Noise)

    def tags(self) -> str:
        on = [
            f"{k}={v}" if not isinstance(v, bool) else k
            for k, v in self.__dict__.items()
            if v and k not in ("noise", "font")
        ]
        if self.font:
            on.append("font=" + (self.font if self.font == EMBEDDED else Path(self.font).name))
        if self.noise.tags() != "plain":
            on.append(f"noise={self.noise.tags()}")
        return ",".join(on) or "plain"


#: The variants the tests run, by name.
VARIANTS: dict[str, PdfOptions] = {
    "plain": PdfOptions(),
    "split_table": PdfOptions(split_table=True),
    "wrapped_labels": PdfOptions(wrapped_labels=True),
    "vertical_labels": PdfOptions(vertical_labels=True),
    "embedded_font": PdfOptions(font=EMBEDDED),
    # (turned pages need embedded fonts: see _no_lone_glyph)
    "rotated_90": PdfOptions(rotated=90, font=EMBEDDED),
    "rotated_270": PdfOptions(rotated=270, font=EMBEDDED),
    "column_order": PdfOptions(column_order=True),
    "page_marks": PdfOptions(page_marks=True),
    "char_by_char": PdfOptions(char_by_char=True),
    "rect_rules": PdfOptions(rect_rules=True),
    "column_rules": PdfOptions(column_rules=True),
    "object_streams": PdfOptions(object_streams=True),
    "encrypted_owner": PdfOptions(encrypt="owner"),
    "encrypted_user": PdfOptions(encrypt="user"),
    "scanned": PdfOptions(scanned=True),
    "word_like": PdfOptions(
        split_table=True,
        wrapped_labels=True,
        vertical_labels=True,
        page_marks=True,
        rect_rules=True,
    ),
}


def random_pdf_noise(rng: random.Random) -> Noise:
    """Print noise a PDF can carry (no web debris, no line-end or page-marker text noise)."""

    def p(x: float) -> bool:
        return rng.random() < x

    return Noise(
        fullwidth=p(0.2),
        split_headers=p(0.4),
        odd_spaces=p(0.2),
        units=p(0.2),
        thousands=p(0.3),
        untitled=p(0.1),
        signature=p(0.7),
    )


def random_options(rng: random.Random) -> PdfOptions:
    """Any mix of the text-layer options (not encrypted with a user password, not scanned).
    Turned pages are drawn in the embedded font (see `_no_lone_glyph`)."""

    def p(x: float) -> bool:
        return rng.random() < x

    rotated = rng.choice((0, 0, 0, 0, 90, 270))
    return PdfOptions(
        split_table=p(0.4),
        wrapped_labels=p(0.4),
        vertical_labels=p(0.4),
        rotated=rotated,
        column_order=p(0.2),
        page_marks=p(0.5),
        char_by_char=p(0.2),
        rect_rules=p(0.4),
        column_rules=p(0.25),
        encrypt="owner" if p(0.1) else None,
        object_streams=p(0.2),
        font=EMBEDDED if rotated or p(0.2) else None,
        noise=random_pdf_noise(rng),
    )


# ====================================================================== the page model
@dataclass
class _Text:
    x: float  # left end of the baseline, in the page's upright (displayed) coordinates
    y: float
    text: str
    size: float
    cell: tuple[int, int, int] | None = None  # (table number, column, row) of a table cell


@dataclass
class _Rule:
    x0: float
    y0: float
    x1: float
    y1: float
    table: int


@dataclass
class _Page:
    width: float  # displayed size (landscape pages: the turned portrait page)
    height: float
    rotation: int  # /Rotate of the page
    ops: list = field(default_factory=list)


@dataclass
class _Grid:
    cells: list[tuple[C, int, int]]  # each printed cell with its top-left row and column
    widths: list[float]
    lines: list[list[str]]  # each cell's text, wrapped in its width
    heights: list[float]  # each row's
    size: float
    leading: float
    pad: float


@dataclass
class RenderedPdf:
    data: bytes
    figures: Figures
    options: PdfOptions
    #: page (1-based) each printed row's figures were drawn on: ("t3", category),
    #: ("t2", item), ("t4", "") — the keys of `reportgen.generator.printed_cells` without the column
    row_pages: dict[tuple[str, str], int]
    #: page each table began on: "table2", "table3", "table4"
    table_pages: dict[str, int]
    page_count: int


# ====================================================================== fonts
SUBSET_FONT = FIXTURES / "cjk_subset.ttf"
SUBSET_NAME = "CJKSubset"
#: ASCII and the few marks the subset has no glyph for (— “ ”): a standard-14 font, whose
#: metrics every reader has built in.
FALLBACK_FONT = "Helvetica"


@cache
def _font_name(font: str | None) -> str:
    """The reportlab font name for `PdfOptions.font` (registered on first use)."""
    from reportlab.pdfbase import pdfmetrics

    if font is None:
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
        return CID_FONT
    from reportlab.pdfbase.ttfonts import TTFont

    if font == EMBEDDED:
        pdfmetrics.registerFont(TTFont(SUBSET_NAME, str(SUBSET_FONT)))
        return SUBSET_NAME
    name = "TT" + re.sub(r"\W", "", Path(font).stem)
    pdfmetrics.registerFont(TTFont(name, font, subfontIndex=0))
    return name


@cache
def _has_glyph(font: str, ch: str) -> bool:
    from reportlab.pdfbase import pdfmetrics

    return ord(ch) in pdfmetrics.getFont(font).face.charToGlyph


def _font_of(ch: str, font: str) -> str:
    """The font a character is drawn in: the subset's characters in it, others in
    FALLBACK_FONT (as word processors draw ASCII in a Latin font)."""
    if font != SUBSET_NAME or _has_glyph(font, ch):
        return font
    if ch.isspace():
        return ""  # a space with no glyph: an advance, nothing drawn
    try:
        ch.encode("cp1252")  # (Helvetica's WinAnsi encoding)
    except UnicodeEncodeError:
        raise ValueError(
            f"{ch!r} is in neither {SUBSET_FONT.name} nor {FALLBACK_FONT}: add it to the "
            "subset (python -m reportgen.pdf_reports subset)"
        ) from None
    return FALLBACK_FONT


@cache
def _char_width(ch: str, font: str) -> float:
    from reportlab.pdfbase import pdfmetrics

    drawn_in = _font_of(ch, font)
    if not drawn_in:
        return 1.0 if ch == "\u3000" else 0.5
    return pdfmetrics.stringWidth(ch, drawn_in, 1.0)


def _width(text: str, font: str, size: float) -> float:
    return sum(_char_width(ch, font) for ch in text) * size


def _runs(text: str, font: str) -> list[tuple[str, str]]:
    """`text` cut into (font, run) pieces drawn in one font each."""
    out: list[tuple[str, str]] = []
    for ch in text:
        f = _font_of(ch, font)
        if out and out[-1][0] == f:
            out[-1] = (f, out[-1][1] + ch)
        else:
            out.append((f, ch))
    return out


_TOKEN = re.compile(r"[0-9０-９.,，．%]+|.", re.S)


def _wrap(text: str, width: float, font: str, size: float, atomic_numbers: bool) -> list[str]:
    """Greedy wrapping of `text` into lines no wider than `width` (a run of digits kept whole
    when `atomic_numbers`: narrative figures must stay readable)."""
    tokens = _TOKEN.findall(text) if atomic_numbers else list(text)
    lines: list[str] = []
    cur, w = "", 0.0
    for tok in tokens:
        tw = _width(tok, font, size)
        if cur and w + tw > width:
            lines.append(cur)
            cur, w = "", 0.0
        cur += tok
        w += tw
    if cur or not lines:
        lines.append(cur)
    return lines


# ====================================================================== layout
class _Layout:
    """Sets a `Doc` on pages (displayed coordinates, y up, origin at the bottom left)."""

    def __init__(self, rng: random.Random, options: PdfOptions, font: str):
        self.rng, self.options, self.font = rng, options, font
        self.pages: list[_Page] = []
        self.body_size = rng.choice((10.5, 11.0, 12.0))
        self.table_size = rng.choice((8.0, 8.5, 9.0))
        self.margin_x = rng.choice((50.0, 56.0, 60.0))
        self.label_chars = rng.choice((10, 11, 12, 13))  # wrapped_labels: the label column
        self.margin_top = 72.0
        self.margin_bottom = 64.0
        self.landscape = False
        self.y = 0.0
        self.row_pages: dict[tuple[str, str], int] = {}
        self.table_pages: dict[str, int] = {}
        self.tables = 0
        self.new_page()

    # ---------------------------------------------------------------- pages
    @property
    def page(self) -> _Page:
        return self.pages[-1]

    @property
    def content_width(self) -> float:
        return self.page.width - 2 * self.margin_x

    def new_page(self) -> None:
        w, h = PORTRAIT
        rotation = 0
        if self.landscape:
            w, h = h, w
            rotation = self.options.rotated
        self.pages.append(_Page(w, h, rotation))
        self.y = h - self.margin_top

    def room(self) -> float:
        return self.y - self.margin_bottom

    def text(self, x: float, y: float, s: str, size: float, cell=None) -> None:
        self.page.ops.append(_Text(x, y, s, size, cell))

    # ---------------------------------------------------------------- paragraphs
    def paragraph(self, s: str, *, size: float | None = None, indent: bool = True,
                  align: str = "left", gap: float = 0.0) -> None:  # fmt: skip
        size = size or self.body_size
        leading = size * 1.6
        first = 2 * size if indent else 0.0
        lines = _wrap(s, self.content_width - first, self.font, size, atomic_numbers=True)
        if len(lines) > 1:  # later lines run the full width
            rest = _wrap(s[len(lines[0]) :], self.content_width, self.font, size, True)
            lines = [lines[0], *rest]
        for k, line in enumerate(lines):
            if self.room() < leading:
                self.new_page()
            self.y -= leading
            w = _width(line, self.font, size)
            if align == "center":
                x = (self.page.width - w) / 2
            elif align == "right":
                x = self.page.width - self.margin_x - w
            else:
                x = self.margin_x + (first if k == 0 else 0.0)
            self.text(x, self.y + (leading - size) / 2, line, size)
        self.y -= gap

    # ---------------------------------------------------------------- tables
    def prepare(self, table: Table) -> _Grid:
        """The table's cells, column widths, wrapped lines and row heights."""
        # the font is made smaller until every figure fits on one line in its column
        pad = 2.5
        size = self.table_size
        while (widths := self._column_widths(table, size, pad)) is None:
            size -= 0.5
        leading = size * 1.3
        cells = _origins(table)
        lines: list[list[str]] = []
        for cell, _, c in cells:
            w = sum(widths[c : c + cell.colspan]) - 2 * pad
            if cell.kind == "value":
                lines.append([cell.text])
            elif cell.parts:
                lines.append([ln for p in cell.parts for ln in _wrap(p, w, self.font, size, False)])
            else:
                lines.append(_wrap(cell.text, w, self.font, size, False))
        n_rows = len(table.rows)
        heights = [leading + 2 * pad] * n_rows
        for idx in sorted(range(len(cells)), key=lambda i: cells[i][0].rowspan):
            cell, r, _ = cells[idx]
            need = len(lines[idx]) * leading + 2 * pad
            span = range(r, min(n_rows, r + cell.rowspan))
            have = sum(heights[k] for k in span)
            if need > have:
                for k in span:
                    heights[k] += (need - have) / len(span)
        return _Grid(cells, widths, lines, heights, size, leading, pad)

    def table(self, table: Table, fig: Figures) -> None:
        self.tables += 1
        tno = self.tables
        g = self.prepare(table)
        grid, widths, lines, heights = g.cells, g.widths, g.lines, g.heights
        size, leading, pad = g.size, g.leading, g.pad
        n_rows = len(table.rows)
        xs = [self.margin_x]
        for w in widths:
            xs.append(xs[-1] + w)
        header_rows = {"table3": 3, "table4": 3, "table2": 0}[table.name]
        force_break = None
        if self.options.split_table and table.name == "table3":
            force_break = self.rng.randint(header_rows + 3, n_rows - 3)
        # rows placed top to bottom; a row that does not fit starts a new page
        placed: list[tuple[int, float]] = []  # (page index, top y) of each row
        repeated: list[tuple[int, int, float]] = []  # header rows drawn again: (row, page, y)
        first_body = header_rows
        broken = False
        r = 0
        while r < n_rows:
            h = heights[r]
            # a header row is kept with the first body row
            keep = sum(heights[r : first_body + 1]) if r < first_body else h
            # (the table is broken where it is to be, unless it already broke)
            brk = force_break is not None and r == force_break + 1 and not broken
            if (self.room() < keep or brk) and placed:
                self.new_page()
                broken = r >= first_body
                if self.options.split_table and header_rows and r >= first_body:
                    for hr in range(header_rows):
                        repeated.append((hr, len(self.pages) - 1, self.y))
                        self.y -= heights[hr]
            placed.append((len(self.pages) - 1, self.y))
            self.y -= h
            r += 1
        self.table_pages[table.name] = placed[0][0] + 1
        for key, row in _row_keys(table, fig).items():
            self.row_pages[key] = placed[row][0] + 1
        # the cells, each split into its parts on each page it spans
        for idx, (cell, r, c) in enumerate(grid):
            rows = range(r, min(n_rows, r + cell.rowspan))
            parts: list[tuple[int, float, float]] = []  # (page, top, height)
            for k in rows:
                page, top = placed[k]
                if parts and parts[-1][0] == page:
                    p, t, hh = parts[-1]
                    parts[-1] = (p, t, hh + heights[k])
                else:
                    parts.append((page, top, heights[k]))
            self._cell(tno, cell, c, r, xs, parts, lines[idx], size, leading, pad)
        for hr, page, top in repeated:
            for idx, (cell, r, c) in enumerate(grid):
                if r == hr:
                    h = sum(heights[r : r + cell.rowspan])
                    self._cell(tno, cell, c, r, xs, [(page, top - 0.0, h)], lines[idx], size,
                               leading, pad)  # fmt: skip
        # (the rows are already laid: the cursor is below the last one)
        self.y -= 6

    def _cell(self, tno, cell: C, c, r, xs, parts, lines, size, leading, pad) -> None:
        x0, x1 = xs[c], xs[min(c + cell.colspan, len(xs) - 1)]
        # the lines go into the first part if they fit, else as many as fit, the rest on
        todo = list(lines)
        for k, (page, top, h) in enumerate(parts):
            bottom = top - h
            pg = self.pages[page]
            for seg in ((x0, top, x1, top), (x0, bottom, x1, bottom), (x0, top, x0, bottom),
                        (x1, top, x1, bottom)):  # fmt: skip
                pg.ops.append(_Rule(*seg, table=tno))
            if not todo:
                continue
            fit = max(1, int((h - 2 * pad) // leading))
            here = todo if k == len(parts) - 1 else todo[:fit]
            todo = todo[len(here) :]
            block = len(here) * leading
            y = top - (h - block) / 2  # vertically centred
            for line in here:
                y -= leading
                w = _width(line, self.font, size)
                if cell.kind == "value" or cell.kind == "header" or cell.kind == "note":
                    x = (x0 + x1 - w) / 2
                elif len(line) == 1 and x1 - x0 < 2.2 * size:  # a vertical label
                    x = (x0 + x1 - w) / 2
                else:
                    x = x0 + pad
                baseline = y + (leading - size) / 2 + 0.12 * size
                pg.ops.append(_Text(x, baseline, line, size, (tno, c, r)))

    def _column_widths(self, table: Table, size: float, pad: float) -> list[float] | None:
        """Column widths at this font size, or None if a figure would not fit on one line
        (with the label columns at least a few characters wide)."""
        total = self.content_width
        value_need = 2.4 * size + 2 * pad
        for row in table.rows:
            for cell in row:
                if cell.kind == "value":
                    value_need = max(
                        value_need, _width(cell.text, self.font, size) / cell.colspan + 2 * pad
                    )
        if table.name == "table4":
            if value_need > total / table.width and size > 5:
                return None
            return [total / table.width] * table.width
        if table.name == "table2":
            first = max(total * 0.28, 7.5 * size + 2 * pad)
            rest = (total - first) / 3
            if value_need > rest and size > 5:
                return None
            return [first, rest, rest, rest]
        # table 3: three label columns, seven value columns
        n_values = table.width - 3
        col0 = (size + 2 * pad) if self.options.vertical_labels else (3 * size + 2 * pad)
        col1 = 4 * size + 2 * pad
        value_w = max(value_need, 3.2 * size)
        col2 = total - col0 - col1 - n_values * value_w
        if col2 < 8 * size + 2 * pad and size > 5:
            return None
        if self.options.wrapped_labels:
            narrow = self.label_chars * size + 2 * pad
            if col2 > narrow:
                value_w += (col2 - narrow) / n_values
                col2 = narrow
        return [col0, col1, col2] + [value_w] * n_values


def _origins(table: Table) -> list[tuple[C, int, int]]:
    """Each printed cell with the row and column of its top left corner."""
    taken: set[tuple[int, int]] = set()
    out: list[tuple[C, int, int]] = []
    for r, row in enumerate(table.rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            out.append((cell, r, c))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
    return out


def _row_keys(table: Table, fig: Figures) -> dict[tuple[str, str], int]:
    """The printed rows of figures: (table, row key) → row index in `table.rows`."""
    value_rows = [r for r, row in enumerate(table.rows) if any(c.kind == "value" for c in row)]
    if table.name == "table4":
        return {("t4", ""): value_rows[0]}
    if table.name == "table3":
        keys = list(fig.table3)
        return {("t3", k): r for k, r in zip(keys, value_rows, strict=True)}
    items = [item for _, _, items in T2_BLOCKS[fig.format] for item in items]
    return {("t2", k): r for k, r in zip(items, value_rows, strict=True)}


def _lay_out(doc: Doc, fig: Figures, rng: random.Random, options: PdfOptions, font: str):
    lay = _Layout(rng, options, font)
    if doc.title:
        size = rng.choice((16.0, 18.0))
        # a title too long for one line is broken where a person would break it: after the
        # agency, or before 政府信息公开 / 年度报告 (the agency alone on the first line also
        # when it would fit)
        title = doc.title
        cuts = [m.start() for m in re.finditer("政府信息公开工作|年度报告", title) if m.start() > 0]
        if title.startswith(fig.agency):
            cuts.insert(0, len(fig.agency))
        too_wide = _width(title, lay.font, size) > lay.content_width
        if cuts and (too_wide or rng.random() < 0.3):
            fits = [k for k in cuts if _width(title[:k], lay.font, size) <= lay.content_width]
            k = fits[-1] if too_wide and fits else cuts[0]
            lay.paragraph(title[:k].strip(), size=size, indent=False, align="center")
            lay.paragraph(title[k:].strip(), size=size, indent=False, align="center", gap=8)
        else:
            lay.paragraph(title, size=size, indent=False, align="center", gap=8)
    for k, block in enumerate(doc.blocks):
        if isinstance(block, Table):
            lay.table(block, fig)
            if options.rotated and block.name == "table4":
                lay.landscape = False
                lay.new_page()
            continue
        nxt = doc.blocks[k + 1] if k + 1 < len(doc.blocks) else None
        if isinstance(nxt, Table):
            if options.rotated and nxt.name == "table3":
                lay.landscape = True
                lay.new_page()
            # a heading is kept with its table, and a table that fits on a page is not broken
            # (unless it is to be: split_table)
            height = sum(lay.prepare(nxt).heights) + 3 * lay.body_size
            whole = height < lay.page.height - lay.margin_top - lay.margin_bottom
            if lay.room() < height and (whole and not options.split_table or lay.room() < 120):
                lay.new_page()
        heading = isinstance(nxt, Table) or bool(re.match(r"^[一二三四五六]、", block))
        lay.paragraph(block, indent=not heading)
    if lay.room() < len(doc.signature) * lay.body_size * 1.6 + 12:
        lay.new_page()  # (a signature is kept on one page)
    for line in doc.signature:
        lay.paragraph(line, indent=False, align="right")
    if options.page_marks:
        _page_marks(lay.pages, rng)
    return lay


def _page_marks(pages: list[_Page], rng: random.Random) -> None:
    style = rng.choice(("dash", "of", "both"))
    n = len(pages)
    for k, page in enumerate(pages, start=1):
        size = 9.0
        marks = []
        if style in ("dash", "both"):
            marks.append((f"— {k} —", 36.0))
        if style in ("of", "both"):
            marks.append((f"第 {k} 页 共 {n} 页", 36.0 if style == "of" else page.height - 40))
        for text, y in marks:
            page.ops.append(_Text(page.width / 2 - len(text) * size / 3, y, text, size))


# ====================================================================== emitting the PDF
def _emit(pages: list[_Page], options: PdfOptions, font: str) -> bytes:
    from reportlab.pdfgen import canvas

    encrypt = None
    if options.encrypt:
        from reportlab.lib.pdfencrypt import StandardEncryption

        user = USER_PASSWORD if options.encrypt == "user" else ""
        encrypt = StandardEncryption(user, OWNER_PASSWORD, canModify=0, strength=128)
    buf = io.BytesIO()
    cv = canvas.Canvas(buf, pagesize=PORTRAIT, invariant=1, encrypt=encrypt, pageCompression=1)
    for page in pages:
        # (reportlab writes the MediaBox of a page rotated by 90 or 270 with the page size's
        # sides swapped: the landscape size gives the portrait MediaBox [0 0 595 842])
        cv.setPageSize((PORTRAIT[1], PORTRAIT[0]) if page.rotation else PORTRAIT)
        cv.setPageRotation(page.rotation)
        cv.saveState()
        if page.rotation == 90:  # displayed (X, Y) → user space (595 − Y, X)
            cv.transform(0, 1, -1, 0, PORTRAIT[0], 0)
        elif page.rotation == 270:  # displayed (X, Y) → user space (Y, 842 − X)
            cv.transform(0, -1, 1, 0, 0, PORTRAIT[1])
        _emit_ops(cv, page.ops, options, font)
        cv.restoreState()
        cv.showPage()
    cv.save()
    return buf.getvalue()


def _emit_ops(cv, ops: list, options: PdfOptions, font: str) -> None:
    texts = [op for op in ops if isinstance(op, _Text)]
    rules = [op for op in ops if isinstance(op, _Rule)]
    if options.column_order:
        # table cells column by column (top to bottom within each); other text as it came
        loose = [t for t in texts if t.cell is None]
        cells = sorted((t for t in texts if t.cell), key=lambda t: (t.cell[0], t.cell[1], -t.y))
        texts = loose + cells
    if options.column_rules:
        rules = _column_lines(rules)
    seen: set[tuple[float, ...]] = set()
    cv.setLineWidth(0.5)
    for rule in rules:
        key = (
            rule.table,
            round(rule.x0, 2),
            round(rule.y0, 2),
            round(rule.x1, 2),
            round(rule.y1, 2),
        )
        if key in seen:
            continue
        seen.add(key)
        if options.rect_rules:  # a thin filled rectangle along the edge
            x, y = min(rule.x0, rule.x1), min(rule.y0, rule.y1)
            w, h = abs(rule.x1 - rule.x0), abs(rule.y1 - rule.y0)
            cv.rect(x - 0.25, y - 0.25, w + 0.5, h + 0.5, stroke=0, fill=1)
        else:
            cv.line(rule.x0, rule.y0, rule.x1, rule.y1)
    current = None
    for t in texts:
        x = t.x
        pieces = [ch for ch in t.text] if options.char_by_char else [t.text]
        for piece in pieces:
            for f, run in _runs(piece, font):
                if not f:
                    x += _width(run, font, t.size)
                    continue
                if (f, t.size) != current:
                    current = (f, t.size)
                    cv.setFont(f, t.size)
                cv.drawString(x, t.y, _no_lone_glyph(run, f))
                x += _width(run, font, t.size)


def _column_lines(rules: list[_Rule]) -> list[_Rule]:
    """The vertical rules of a page that meet along one x joined into one long rule each."""
    runs: dict[tuple[int, float], list[tuple[float, float]]] = {}
    out = []
    for rule in rules:
        if rule.x0 != rule.x1:
            out.append(rule)
            continue
        key = (rule.table, round(rule.x0, 2))
        runs.setdefault(key, []).append((min(rule.y0, rule.y1), max(rule.y0, rule.y1)))
    for (table, x), spans in runs.items():
        spans.sort()
        lo, hi = spans[0]
        for a, b in spans[1:]:
            if a <= hi + 0.01:
                hi = max(hi, b)
                continue
            out.append(_Rule(x, lo, x, hi, table=table))
            lo, hi = a, b
        out.append(_Rule(x, lo, x, hi, table=table))
    return out


def _no_lone_glyph(text: str, font: str) -> str:
    """A lone glyph of the non-embedded CID font followed by a space.

    PDFium leaves a text object out of the page's text when its box has no width, and a
    non-embedded font's glyph has a box only if a system font that PDFium substitutes has
    that glyph: a one-glyph object ("0" in its own cell, 三 of a vertical label) is read on
    one machine and lost on another (no CJK font installed: lone hanzi lost; one installed:
    lone digits lost). A trailing space gives the object a width everywhere."""
    if font == CID_FONT and len(text) == 1 and not text.isspace():
        return text + " "
    return text


def _scanned(data: bytes, scale: float = 1.2) -> bytes:
    """The PDF's pages as images in an image-only PDF (what a scanner gives)."""
    import pypdfium2 as pdfium
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    cv = canvas.Canvas(buf, invariant=1)
    doc = pdfium.PdfDocument(data)
    try:
        for index in range(len(doc)):
            page = doc[index]
            w, h = page.get_size()  # (already turned by /Rotate)
            if page.get_rotation() in (90, 270):
                w, h = h, w
            image = page.render(scale=scale, grayscale=True).to_pil()
            page.close()
            cv.setPageSize((w, h))
            cv.drawImage(ImageReader(image), 0, 0, width=w, height=h)
            cv.showPage()
    finally:
        doc.close()
    cv.save()
    return buf.getvalue()


# ====================================================================== entry points
def pdf_noise(noise: Noise, fig: Figures) -> Noise:
    """`noise` without what a PDF of these figures cannot carry."""
    noise = replace(
        noise,
        web_debris=False,
        crlf=False,
        page_break=False,  # (pages break where the layout puts them)
        wrapped_labels=False,  # (PdfOptions.wrapped_labels)
        gaps=False,
        one_line_html=False,
        colspan_cells=False,
        trailing_tab=False,
    )
    if noise.untitled and not ORGAN_NAME.search(fig.agency):
        noise = replace(noise, untitled=False)  # a signature must name an organ
    return noise


def render_pdf(fig: Figures, rng: random.Random, options: PdfOptions) -> RenderedPdf:
    """The report of `fig` as a PDF, with the page each row of figures is on."""
    options = replace(options, noise=pdf_noise(options.noise, fig))
    doc = build_doc(fig, rng, options.noise, "pdf_text")
    font = _font_name(options.font)
    lay = _lay_out(doc, fig, rng, options, font)
    if options.scanned:
        data = _scanned(_emit(lay.pages, replace(options, encrypt=None), font))
    else:
        data = _emit(lay.pages, options, font)
    if options.object_streams and not options.encrypt:
        data = with_object_streams(data)
    return RenderedPdf(data, fig, options, lay.row_pages, lay.table_pages, len(lay.pages))


def pdf_of(fig: Figures, rng: random.Random, options: PdfOptions | None = None) -> bytes:
    """The report of `fig` as PDF bytes (the same figures, seed and options: the same bytes)."""
    return render_pdf(fig, rng, options or PdfOptions()).data


# ====================================================================== PDF 1.5 packing
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_TRAILER = re.compile(rb"trailer\s*<<(.*?)>>\s*startxref", re.S)


def with_object_streams(data: bytes) -> bytes:
    """A reportlab PDF (classic xref table, no encryption) rewritten as PDF 1.5: the objects
    that are not streams packed into one compressed /ObjStm, located by an /XRef stream."""
    import zlib

    xref_at = data.rindex(b"\nxref\n") + 1
    entries = _XREF_ENTRY.findall(data, xref_at)
    offsets = {n: int(off) for n, (off, _, kind) in enumerate(entries) if kind == b"n"}
    bodies: dict[int, bytes] = {}
    ends = sorted(offsets.values()) + [xref_at]
    for n, off in offsets.items():
        end = ends[ends.index(off) + 1]
        chunk = data[off:end]
        body = chunk[chunk.index(b"obj") + 3 : chunk.rindex(b"endobj")].strip()
        bodies[n] = body
    trailer = _TRAILER.search(data, xref_at).group(1)  # type: ignore[union-attr]
    keep = {
        k: re.search(rb"/" + k + rb"\s+(\d+ \d+ R|\[[^\]]*\])", trailer)
        for k in (b"Root", b"Info", b"ID")
    }
    packed = [n for n, body in bodies.items() if b"stream" not in body]
    plain = [n for n in bodies if n not in packed]
    size = max(bodies) + 3  # (+ the object stream and the xref stream)
    stm, xrf = size - 2, size - 1
    head, objs = [], []
    pos = 0
    for n in packed:
        head.append(f"{n} {pos}")
        objs.append(bodies[n] + b"\n")
        pos += len(objs[-1])
    head_bytes = " ".join(head).encode() + b"\n"
    content = zlib.compress(head_bytes + b"".join(objs))
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    where: dict[int, int] = {}
    for n in plain:
        where[n] = len(out)
        out += f"{n} 0 obj\n".encode() + bodies[n] + b"\nendobj\n"
    where[stm] = len(out)
    out += (
        (
            f"{stm} 0 obj\n<< /Type /ObjStm /N {len(packed)} /First {len(head_bytes)} "
            f"/Filter /FlateDecode /Length {len(content)} >>\nstream\n"
        ).encode()
        + content
        + b"\nendstream\nendobj\n"
    )
    where[xrf] = len(out)
    rows = bytearray()
    for n in range(size):
        if n in where:
            rows += bytes([1]) + where[n].to_bytes(4, "big") + (0).to_bytes(2, "big")
        elif n in packed:
            rows += bytes([2]) + stm.to_bytes(4, "big") + packed.index(n).to_bytes(2, "big")
        else:
            rows += (
                bytes([0]) + (0).to_bytes(4, "big") + (65535 if n == 0 else 0).to_bytes(2, "big")
            )
    table = zlib.compress(bytes(rows))
    extra = b" ".join(b"/" + k + b" " + m.group(1) for k, m in keep.items() if m)
    out += (
        f"{xrf} 0 obj\n<< /Type /XRef /Size {size} /W [1 4 2] ".encode()
        + extra
        + f" /Filter /FlateDecode /Length {len(table)} >>\nstream\n".encode()
        + table
        + f"\nendstream\nendobj\nstartxref\n{where[xrf]}\n%%EOF\n".encode()
    )
    return bytes(out)


# ====================================================================== fonts without a Unicode map
_TO_UNICODE = re.compile(rb"/ToUnicode\s+\d+\s+\d+\s+R")


def strip_to_unicode(data: bytes) -> bytes:
    """The PDF with every font's /ToUnicode entry blanked out (same length: the
    cross-reference offsets stay right). Needs an unencrypted, uncompressed-objects PDF
    (reportlab writes no object streams)."""
    out, n = _TO_UNICODE.subn(lambda m: b" " * len(m.group(0)), data)
    if not n:
        raise ValueError("no /ToUnicode entry found")
    return out


#: The TrueType font the committed fixtures were made with (Debian package fonts-wqy-zenhei).
FIXTURE_FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
FIXTURE_SEED = 7


def make_truetype_fixtures(font: str = FIXTURE_FONT, seed: int = FIXTURE_SEED):
    """(with its Unicode maps, without them, the figures): one generated report drawn in an
    embedded TrueType subset (reportlab's simple fonts of 256 codes each, with a /ToUnicode
    map), and the same PDF with the maps blanked out, so that its codes mean nothing to a
    text extractor. Run by hand where the font is installed (`python -m reportgen.pdf_reports`);
    the results are committed under tests/fixtures/pdf_generated/ (see its README)."""
    from reportgen.generator import random_figures

    rng = random.Random(seed)
    fig = random_figures(rng, "2021")
    data = render_pdf(fig, rng, PdfOptions(font=font)).data
    return data, strip_to_unicode(data), fig


def load_fixture_figures(name: str) -> Figures:
    import json

    raw = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return Figures(**raw)


#: The Debian font (package fonts-droid-fallback, Apache-2.0) SUBSET_FONT is cut from.
SUBSET_SOURCE = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"


def generator_charset(seeds: int = 400) -> str:
    """Every character `reportgen.generator` can print in a PDF report (its source's non-ASCII
    characters, and what its documents hold for every agency, real reports' included)."""
    from reportgen.generator import AGENCIES, random_figures
    from reportgen.roundtrip import known_figures

    chars = {c for c in Path(__file__).with_name("generator.py").read_text("utf-8") if c > "~"}
    chars |= set("第页共—") | {chr(c) for c in range(0xFF01, 0xFF5F)}
    agencies = list(AGENCIES) + [k.agency for k in known_figures()]
    for seed in range(seeds):
        rng = random.Random(seed)
        fig = random_figures(rng, ("2019", "2021")[seed % 2], agency=agencies[seed % len(agencies)])
        doc = build_doc(fig, rng, pdf_noise(random_pdf_noise(rng), fig), "pdf_text")
        for block in doc.blocks:
            if isinstance(block, Table):
                for row in block.rows:
                    for cell in row:
                        chars |= set(cell.text + "".join(cell.parts or ()))
            else:
                chars |= set(block)
        chars |= set((doc.title or "") + "".join(doc.signature))
    return "".join(sorted(c for c in chars if c > "~"))


def make_subset_font(source: str = SUBSET_SOURCE) -> bytes:
    """The glyphs of `source` the generator needs, as a small TrueType font (needs fontTools,
    at fixture-making time only)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont as FTFont

    font = FTFont(source)
    cmap = font.getBestCmap()
    wanted = [ord(c) for c in generator_charset() if ord(c) in cmap]
    options = subset.Options()
    options.layout_features = []
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # (copyright and licence kept)
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=wanted)
    subsetter.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


if __name__ == "__main__":
    # python -m reportgen.pdf_reports subset [font]: rewrite cjk_subset.ttf (needs fontTools)
    # python -m reportgen.pdf_reports truetype [font]: rewrite the TrueType PDF fixtures
    import sys

    what, args = sys.argv[1], sys.argv[2:3]
    FIXTURES.mkdir(parents=True, exist_ok=True)
    if what == "subset":
        data = make_subset_font(*args)
        SUBSET_FONT.write_bytes(data)
        print(f"wrote {SUBSET_FONT} ({len(data):,} bytes)")
    elif what == "truetype":
        import dataclasses
        import json

        with_map, without_map, fig = make_truetype_fixtures(*args)
        (FIXTURES / "truetype_subset.pdf").write_bytes(with_map)
        (FIXTURES / "no_unicode_map.pdf").write_bytes(without_map)
        (FIXTURES / "truetype_subset.figures.json").write_text(
            json.dumps(dataclasses.asdict(fig), ensure_ascii=False, indent=1) + "\n",
            encoding="utf-8",
        )
        print(f"wrote {FIXTURES}/truetype_subset.pdf, no_unicode_map.pdf ({len(with_map):,} bytes)")
