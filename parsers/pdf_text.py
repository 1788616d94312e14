"""PDF bytes → the text of its pages, lines rebuilt from where the characters sit.

PDFium (pypdfium2) gives every character of a page with its box. The order a producer wrote
them in is not the reading order: tables are often emitted column by column, a page footer
(— 3 —) lands in the middle of the last line, a wrapped label is interleaved with the
figures beside it. So the text is not taken in stream order: the characters are grouped
into lines by their vertical position, each line ordered left to right, with a space where
a gap separates two characters (and always where a table's ruling line runs between them).
What comes out is the same kind of space-aligned text a PDF-to-text tool prints, which the
grid model already reads (`parsers.grid`).

We write this layout step ourselves because PDFium has no position-ordered text output, and
the libraries that do (pdfplumber, pdfminer) are 20–50× slower on these files.
"""

from __future__ import annotations

import re
import struct
import threading
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import NamedTuple

from parsers.inputs import UnreadableInput
from parsers.values import parse_value

#: A page with fewer printable characters than this has no text layer worth reading.
MIN_PAGE_CHARS = 20
#: Below this share of plausible characters (common hanzi, ASCII, CJK punctuation) the
#: text layer is garbage: fonts without a Unicode map give private-use or random code points.
MIN_PLAUSIBLE_SHARE = 0.6
#: Pages read at most (a report has a handful; a 2,000-page PDF is not a report).
MAX_PAGES = 200

#: Page objects looked at for rulings at most (a page of 20,000 objects is a drawing).
MAX_PAGE_OBJECTS = 20_000
#: FS_RECTF as PDFium lays it out: left, top, right, bottom (C floats).
_RECTF = struct.Struct("4f")

# PDFium is not thread-safe: one call at a time per process.
_PDFIUM_LOCK = threading.Lock()


class NeedsOcr(UnreadableInput):  # noqa: N818 - a reason, not a bug
    """The PDF has no text worth reading (scanned pages, fonts without a Unicode map): its
    pages are to be read by OCR (`parsers.ocr_text`); the message says why."""


@dataclass(frozen=True)
class PdfText:
    """The document's text, one line per printed line, pages one after the other."""

    text: str
    #: line number (1-based, in `text`) where each page begins
    page_starts: tuple[int, ...]
    warnings: list[str] = field(default_factory=list)


class _Char(NamedTuple):
    """One printed character and its box on the page (x to the right, y up)."""

    ch: str
    left: float
    right: float
    bottom: float
    top: float


def pdf_text(data: bytes) -> PdfText:
    """The text of a PDF with a text layer. Raises `UnreadableInput` with the reason for a
    scanned PDF (no text layer), garbled fonts, a password, or a file PDFium cannot open."""
    import pypdfium2 as pdfium

    with _PDFIUM_LOCK:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            message = str(exc)
            if "password" in message.lower():
                raise UnreadableInput("encrypted PDF: needs a password to open") from None
            raise UnreadableInput(f"damaged PDF: PDFium cannot open it ({message})") from None
        try:
            return _read_document(doc)
        except pdfium.PdfiumError as exc:  # a page or its text that PDFium cannot load
            raise UnreadableInput(f"damaged PDF: PDFium cannot read it ({exc})") from None
        finally:
            doc.close()


def _read_document(doc) -> PdfText:
    n_pages = len(doc)
    if n_pages == 0:
        raise UnreadableInput("PDF with no pages")
    warnings: list[str] = []
    if n_pages > MAX_PAGES:
        warnings.append(f"PDF of {n_pages} pages: only the first {MAX_PAGES} read")
    lines: list[str] = []
    page_starts: list[int] = []
    pages_without_text = 0
    for index in range(min(n_pages, MAX_PAGES)):
        page = doc[index]
        try:
            chars, upright = _page_chars(page)
            # the page's rulings, looked for only when a narrow gap between figures needs them
            page_lines = _lines_of(chars, _Rulings(page) if upright else None)
            _blank_page_numbers(page_lines, chars)
        finally:
            page.close()
        page_starts.append(len(lines) + 1)
        if sum(len(ln.translate(_NO_GAPS)) for ln in page_lines) < MIN_PAGE_CHARS:
            pages_without_text += 1
        lines.extend(page_lines)
        lines.append("")  # a blank line between pages: nothing joins across them
    printed = "".join(lines).translate(_NO_GAPS)
    if len(printed) < MIN_PAGE_CHARS:
        raise NeedsOcr(f"scanned PDF: no text layer ({n_pages} page(s) of images only; needs OCR)")
    share = _plausible_share(printed)
    if share < MIN_PLAUSIBLE_SHARE:
        raise NeedsOcr(
            f"PDF text unreadable: only {share:.0%} of its characters are plausible "
            "(fonts without a Unicode map; needs OCR)"
        )
    if pages_without_text:
        warnings.append(
            f"{pages_without_text} of {n_pages} PDF page(s) have no text layer (scanned?): "
            "anything printed only there is not read"
        )
    return PdfText("\n".join(lines), tuple(page_starts), warnings)


#: The gaps `_lines_of` writes between cells (a space, or a tab in a ruled row): no
#: printed character.
_NO_GAPS = str.maketrans("", "", " \t")


def _plausible_share(text: str) -> float:
    from parsers.decode import plausible_share

    return plausible_share(text)


def _page_chars(page) -> tuple[list[_Char], bool]:
    """Every printed character of a page with its box, in the page's upright orientation;
    and whether the page's text already ran upright (its rulings are then in the same
    coordinates)."""
    import pypdfium2.raw as raw

    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        if count <= 0:
            return [], True
        text = textpage.get_text_range(0, count)
        handle = textpage.raw
        rect = raw.FS_RECTF()  # (passed as is: the binding takes its address)
        read_rect = _RECTF.unpack_from  # (one call for the four fields, not four)
        loose_box = raw.FPDFText_GetLooseCharBox
        by_index = len(text) == count  # (else astral characters: ask char by char)
        get_unicode = raw.FPDFText_GetUnicode
        new_char = _Char._make  # (tuple.__new__: a NamedTuple without its __new__ cost)
        chars: list[_Char] = []
        indices: list[int] = []  # each kept character's index on the text page
        for i in range(count):
            ch = text[i] if by_index else chr(get_unicode(handle, i) or 32)
            if ch.isspace() or ch == "\ufffe" or ch == "\x00":
                continue  # spaces are rebuilt from gaps; PDFium's line breaks are ignored
            if not loose_box(handle, i, rect):
                continue
            left, top, right, bottom = read_rect(rect)
            chars.append(new_char((ch, left, right, bottom, top)))
            indices.append(i)
        _fix_outsized(chars, indices, textpage)
        direction = _direction(handle, indices)
    finally:
        textpage.close()
    return _upright(chars, direction), direction == "right"


def _fix_outsized(chars: list[_Char], indices: list[int], textpage) -> None:
    """A glyph whose font metrics are broken gets a loose box many lines tall (seen: one 果
    199 pt high in a 9 pt table), which would swallow the lines around it. Such a character
    is put back at its drawn (tight) box's centre with the page's usual size."""
    if len(chars) < 3:
        return
    heights = sorted([c[4] - c[3] for c in chars])
    usual = heights[len(heights) // 2]
    if heights[-1] <= 2 * usual:
        return
    half = usual / 2
    for k, c in enumerate(chars):
        if c[4] - c[3] <= 2 * usual and c[2] - c[1] <= 3 * usual:
            continue
        left, bottom, right, top = textpage.get_charbox(indices[k])
        x, y = (left + right) / 2, (bottom + top) / 2
        chars[k] = _Char(c[0], x - half, x + half, y - half, y + half)


class _Rulings:
    """A page's vertical rulings, found on first use (most pages never need them)."""

    def __init__(self, page, rules: list[tuple[float, float, float]] | None = None) -> None:
        self._page = page
        self._given = rules  # (known already: a test's)
        self._rules: list[tuple[float, float, float]] | None = None  # (x, bottom, top)
        self._xs: list[float] = []

    def _load(self) -> list[tuple[float, float, float]]:
        if self._rules is None:
            given = self._given
            self._rules = sorted(_vertical_rulings(self._page) if given is None else given)
            self._xs = [x for x, _, _ in self._rules]
        return self._rules

    def between(self, left: float, right: float) -> bool:
        """Does a ruling run between x = left and x = right (at any height)?"""
        self._load()
        xs = self._xs
        i = bisect_right(xs, left - 0.5)
        return i < len(xs) and xs[i] < right + 0.5

    def crossing(self, y: float) -> list[float]:
        """x of the rulings that run through height `y`, left to right; a border drawn
        twice (two cells' edges, a thin rectangle's two sides) counts once."""
        xs: list[float] = []
        for x, bottom, top in self._load():
            if bottom <= y <= top and (not xs or x - xs[-1] > _SAME_RULING):
                xs.append(x)
        return xs


def _vertical_rulings(page) -> list[tuple[float, float, float]]:
    """(x, bottom, top) of the thin vertical lines drawn on the page (table rulings): a gap they cross is a
    cell boundary, however narrow. (Path objects only: a table drawn as one path of many
    segments gives none, and its cells are then told apart by their gaps alone.) Through
    the raw binding: the helpers' object iterator wraps every object, ~10× slower."""
    import pypdfium2.raw as raw

    rules: list[tuple[float, float, float]] = []
    handle = page.raw
    # (the binding's own C floats, passed by address: FPDFPageObj_GetRotatedBounds, which
    # fills one struct, gives nothing for a path in PDFium)
    l_, b_, r_, t_ = raw.c_float(), raw.c_float(), raw.c_float(), raw.c_float()
    get_object, get_type, get_bounds = (
        raw.FPDFPage_GetObject,
        raw.FPDFPageObj_GetType,
        raw.FPDFPageObj_GetBounds,
    )
    path = raw.FPDF_PAGEOBJ_PATH
    for i in range(min(raw.FPDFPage_CountObjects(handle), MAX_PAGE_OBJECTS)):
        obj = get_object(handle, i)
        if get_type(obj) != path or not get_bounds(obj, l_, b_, r_, t_):
            continue
        left, right = l_.value, r_.value
        if right - left < 2.5 and t_.value - b_.value > 6:
            rules.append(((left + right) / 2, b_.value, t_.value))
    return rules


def _upright(chars: list[_Char], direction: str) -> list[_Char]:
    """Turn a page's characters so that text runs left to right and lines go down the page.

    A landscape table is often drawn turned on a portrait page (shown upright by /Rotate):
    its characters then advance along y (`direction`, from the glyphs' angles).
    """
    if direction == "right":
        return chars
    turned: list[_Char] = []
    for ch, left, right, bottom, top in chars:
        if direction == "up":  # text runs bottom to top: x' = y, y' = -x
            turned.append(_Char(ch, bottom, top, -right, -left))
        elif direction == "down":  # top to bottom: x' = -y, y' = x
            turned.append(_Char(ch, -top, -bottom, left, right))
        else:  # "left": upside down
            turned.append(_Char(ch, -right, -left, -top, -bottom))
    return turned


def _direction(handle, indices: list[int]) -> str:
    """Which way the page's text runs, from the glyphs' own angles (PDFium gives each
    character's rotation on the page): the most common of a sample. Not from the stream
    order, which PDFium itself reverses on a page shown upside down."""
    import math

    import pypdfium2.raw as raw

    votes = {"right": 0, "up": 0, "left": 0, "down": 0}
    names = ("right", "down", "left", "up")  # (PDFium measures the angle clockwise)
    step = max(1, len(indices) // 40)
    for i in indices[::step]:
        angle = raw.FPDFText_GetCharAngle(handle, i)
        if angle < 0:
            continue
        votes[names[round(angle / (math.pi / 2)) % 4]] += 1
    best = max(votes, key=lambda k: votes[k])
    return best if votes[best] > votes["right"] else "right"


_PAGE_NUMBER = re.compile(
    r"[-—–\s]*(第\s*)?\d{1,3}(\s*页)?(\s*/\s*\d{1,3}|\s*共\s*\d{1,3}\s*页)?[-—–\s]*"
)


def _blank_page_numbers(lines: list[str], chars: list[_Char]) -> None:
    """A page number printed alone above or below the text (`3`, `- 3 -`, `第 3 页 共 5
    页`, `3/12`) is no cell: it is blanked, so that a bare `3` under a table is not read as
    its next figure. Only the page's first and last line; a bare number only when set apart
    from the text by more than 1.5 times its size (a last table row of one figure stays)."""
    if len(lines) < 2 or not (
        _PAGE_NUMBER.fullmatch(lines[0]) or _PAGE_NUMBER.fullmatch(lines[-1])
    ):
        return  # (most pages: no need to look where their characters sit)
    size = _text_size(chars)
    middles = [(c[3] + c[4]) / 2 for c in chars]
    top, bottom = max(middles), min(middles)
    below_top = max((m for m in middles if m < top - 0.4 * size), default=top)
    above_bottom = min((m for m in middles if m > bottom + 0.4 * size), default=bottom)
    if _is_page_number(lines[0], top - below_top > 1.5 * size):
        lines[0] = ""
    if _is_page_number(lines[-1], above_bottom - bottom > 1.5 * size):
        lines[-1] = ""


def _is_page_number(line: str, set_apart: bool) -> bool:
    """`- 3 -`, `第3页`, `3/12` always are; a bare `3` only when set apart from the text."""
    if not _PAGE_NUMBER.fullmatch(line):
        return False
    return set_apart or not line.strip().isdigit()


def _lines_of(chars: list[_Char], rulings: _Rulings | None) -> list[str]:
    """Characters grouped into printed lines, top to bottom, each left to right. A line
    that may be a table row with a blank cell is written as its cells where rulings run
    through it (`_ruled_row`): one that prints fewer figures than another line of the page,
    or whose figures stand further apart somewhere than elsewhere (a blank between them)."""
    if not chars:
        return []
    size = _text_size(chars)
    lines = [(line, _join(line, size, rulings)) for line in _line_groups(chars, size)]
    if rulings is None:
        return [text for _, text in lines]
    # (a page whose rows print their figures alike asks for no rulings: finding them walks
    # every object of the page, ~0.5 ms)
    figures = [len(_FIGURE.findall(text)) if " " in text else 0 for _, text in lines]
    most = max(figures)
    out = []
    for (line, text), n in zip(lines, figures, strict=True):
        if n:
            runs = _runs(line, text)
            if n < most or _spaced_unevenly(runs):
                text = _ruled_row(line, runs, size, rulings) or text
        out.append(text)
    return out


#: A figure printed as a run of `_join`'s text, and as a space-separated run of a line.
_FIGURE_RUN = re.compile(r"[+\-]?\d[\d,]*(?:\.\d+)?")
_FIGURE = re.compile(rf"(?:^| ){_FIGURE_RUN.pattern}(?= |$)")


def _runs(line: list[_Char], text: str) -> list[tuple[float, float, str]]:
    """(left, right, text) of each run of characters `_join` spaced apart in `text`
    (`line` sorted left to right, as `_join` leaves it)."""
    runs = []
    start = 0
    for token in text.split(" "):
        end = start + len(token)
        runs.append((line[start][1], line[end - 1][2], token))
        start = end
    return runs


def _spaced_unevenly(runs: list[tuple[float, float, str]]) -> bool:
    """Do two neighbouring figures of a line (its `_runs`) stand over 1.5 times as far apart
    (centre to centre) as two others: a cell between them left blank?"""
    middles = [(a + b) / 2 for a, b, t in runs if _FIGURE_RUN.fullmatch(t)]
    steps = [b - a for a, b in zip(middles, middles[1:], strict=False)]
    return len(steps) >= 2 and max(steps) > 1.5 * min(steps)


#: Rulings closer than this (points) are one border drawn twice.
_SAME_RULING = 2.0


def _ruled_row(
    line: list[_Char], runs: list[tuple[float, float, str]], size: float, rulings: _Rulings
) -> str | None:
    """A table row that prints a blank value cell, as its cells separated by tabs (an empty
    field for each blank), where the table's rulings show where its cells are: a blank
    leaves no mark in the text, only a wider gap, so joined by gaps the row would print
    one figure too few and could not be read. None for any other line (joined by gaps, as
    before): a line outside a ruled table, one with no figure, with no blank value cell,
    with two figures in one ruled cell (a ruling not found: the row is not rebuilt), or with
    a ruling through a glyph, or between a figure's touching glyphs (a line drawn across a
    merged cell parts no cells; one between a label's glyphs only parts it into label cells,
    which the grid joins again).

    The value cells are those after the row's last label cell; a cell left of it that is
    empty (a label column whose text is printed in another row) is kept, as in any tab row.
    A row of figures whose label is printed on another line (a wrapped label, table 4's
    figures under their headings) has every cell taken as a value cell: the grid pairs such
    a row by position, and declines it where its empty cells at the edges could be padding.
    """
    # (`runs`: the line's `_runs`; only a line with a gap as wide as half a character, as
    # between a table's cells, asks for the rulings)
    wide = 0.5 * size
    if not any(b[0] - a[1] > wide for a, b in zip(runs, runs[1:], strict=False)):
        return None
    middles = sorted(c[3] + c[4] for c in line)
    xs = rulings.crossing(middles[len(middles) // 2] / 2)
    if len(xs) < 3:
        return None
    # every ruled cell holds some run: no blank (the common row, looked at no further)
    covered: set[int] = set()
    for left, right, _ in runs:
        covered.update(range(bisect_right(xs, left) - 1, bisect_right(xs, right)))
    if all(k in covered for k in range(len(xs) - 1)):
        return None
    cells: list[list[_Char]] = [[] for _ in range(len(xs) - 1)]
    narrow = 0.05 * size
    previous, prev_k = None, -1
    for c in line:
        k = bisect_right(xs, (c[1] + c[2]) / 2) - 1
        if not 0 <= k < len(cells):
            return None  # text beside the ruled table on the same line
        inside = bisect_right(xs, c[1] + narrow)
        if inside < len(xs) and xs[inside] < c[2] - narrow:
            return None  # a ruling through a glyph: it parts no cells here
        if (
            k != prev_k
            and previous is not None
            and c[1] - previous[2] <= narrow
            and (c[0].isdigit() or previous[0].isdigit())
        ):
            return None  # a ruling through a figure (a column line across a merged cell)
        cells[k].append(c)
        previous, prev_k = c, k
    texts = [_join(cell, size, None) if cell else "" for cell in cells]
    kinds = [None if not t else parse_value(t) is not None for t in texts]
    last_label = max((k for k, is_value in enumerate(kinds) if is_value is False), default=-1)
    values = kinds[last_label + 1 :]  # (every cell of a row printed without its label)
    if True not in values or None not in values:
        return None
    if any(" " in t for t, is_value in zip(texts, kinds, strict=True) if is_value):
        return None  # two figures in one ruled cell: a ruling between them was not found
    return "\t".join(texts)


def _text_size(chars: list[_Char]) -> float:
    """The page's usual character height (the median)."""
    heights = sorted([c[4] - c[3] for c in chars])
    return max(heights[len(heights) // 2], 1.0)


def _line_groups(chars: list[_Char], size: float | None = None) -> list[list[_Char]]:
    """Characters grouped into printed lines by their vertical middle, top line first (the
    OCR reader builds its lines with this too, `parsers.ocr_text`)."""
    if not chars:
        return []
    if size is None:
        size = _text_size(chars)
    tolerance = 0.4 * size  # lines closer than this are one line
    ordered = sorted(chars, key=lambda c: -(c[3] + c[4]))  # by middle, top first (×2)
    groups: list[list[_Char]] = []
    current: list[_Char] = [ordered[0]]
    anchor = ordered[0][3] + ordered[0][4]
    twice = 2 * tolerance
    for c in ordered[1:]:
        middle = c[3] + c[4]
        if anchor - middle <= twice:
            current.append(c)
            continue
        groups.append(current)
        current = [c]
        anchor = middle
    groups.append(current)
    return groups


def _join(line: list[_Char], size: float, rulings: _Rulings | None) -> str:
    """A line's characters left to right, with a space where a gap wider than a third of
    the text's size separates two; and where a narrower gap between two digits has a
    table's ruling line through it (two figures printed close together in adjacent cells).
    Only digit against digit asks for the rulings: finding them walks every object of the
    page, and a digit beside a label character is told apart by the grid anyway."""
    line.sort(key=lambda c: c[1])
    spacing, narrow = 0.3 * size, 0.05 * size
    parts = [line[0][0]]
    prev = line[0]
    for c in line[1:]:
        gap = c[1] - prev[2]
        if gap > spacing or (
            gap > narrow
            and rulings is not None
            and c[0].isdigit()
            and prev[0].isdigit()
            and rulings.between(prev[2], c[1])
        ):
            parts.append(" ")
        parts.append(c[0])
        prev = c
    return "".join(parts)
