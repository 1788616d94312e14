"""The one grid model every layout is normalised into before any table is read.

A document becomes a list of `Row`s; a row is a list of `Cell`s, each with the source line
it came from. Layouts that print one row per line (tabs, Markdown pipes, space-aligned PDF
text) give explicit rows; layouts that print one cell per line give single cells that
`rows_from_lines` groups into rows (a label starts a row, the values after it belong to it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parsers.values import MAY_BE_VALUE, Value, cached_parse_value, parse_value

_CJK = re.compile("[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_PIPES_ONLY = re.compile(r"^\s*\|+\s*$")
_MD_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_NUMBER_TOKEN = re.compile(r"^[+-]?\d[\d,]*(\.\d+)?(件|个|条|项|万元|元)?$")
_SPACE_SPLIT = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")
_MARKER_STARTS = frozenset("-—–第0123456789")
_PAGE_MARKER = re.compile(
    r"^[-—–]+\s*\d{1,3}\s*[-—–]+$|^第\s*\d{1,3}\s*页(\s*共\s*\d+\s*页)?$|^\d{1,3}\s*/\s*\d{1,3}$"
)


class Cell:
    """One printed cell: its text, the line it came from, and its value, parsed once
    (None for a label). A plain class with slots: millions are made per thousand reports."""

    __slots__ = ("text", "line", "rowspan", "colspan", "value", "is_label")

    def __init__(self, text: str, line: int, rowspan: int = 1, colspan: int = 1) -> None:
        self.text = text
        self.line = line
        self.rowspan = rowspan
        self.colspan = colspan
        # parse_value(text), inlined (a cell is made for every printed line)
        if len(text) > 16 and MAY_BE_VALUE.match(text) is None:
            self.value: Value | None = None
            self.is_label = True
        else:
            self.value = value = cached_parse_value(text)
            self.is_label = value is None and text != ""  # printed, and not a value

    @property
    def is_value(self) -> bool:
        return self.value is not None

    def __repr__(self) -> str:
        return f"Cell(text={self.text!r}, line={self.line}, rowspan={self.rowspan}, colspan={self.colspan})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Cell) or other.__class__ is not self.__class__:
            return NotImplemented
        return (self.text, self.line, self.rowspan, self.colspan, self.value) == (
            other.text,
            other.line,
            other.rowspan,
            other.colspan,
            other.value,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value (as before)


@dataclass
class Row:
    """A row of cells. Built once by a layout reader; the readers only read it (its label
    and text are computed on first use and kept)."""

    cells: list[Cell] = field(default_factory=list)
    explicit: bool = True  # True when the source printed it as one row
    # label and text once computed (set by __init__ too, which mypyc-compiled code needs)
    _label: str | None = field(default=None, repr=False, compare=False)
    _text: str | None = field(default=None, repr=False, compare=False)

    @property
    def line(self) -> int:
        return self.cells[0].line if self.cells else 0

    @property
    def label(self) -> str:
        """The row's label cells joined, without spaces."""
        label = self._label
        if label is None:
            cells = self.cells
            if len(cells) == 1:
                label = cells[0].text.replace(" ", "") if cells[0].is_label else ""
            else:
                label = "".join([c.text for c in cells if c.is_label]).replace(" ", "")
            self._label = label
        return label

    def label_cells(self) -> list[Cell]:
        return [c for c in self.cells if c.is_label]

    def value_cells(self) -> list[Cell]:
        """Cells after the last label cell (empty cells included: blanks are data)."""
        cells = self.cells
        for i in range(len(cells) - 1, -1, -1):
            if cells[i].is_label:
                return cells[i + 1 :]
        return cells[:]

    @property
    def text(self) -> str:
        """The row's printed cells joined by spaces."""
        text = self._text
        if text is None:
            cells = self.cells
            text = cells[0].text if len(cells) == 1 else " ".join([c.text for c in cells if c.text])
            self._text = text
        return text


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def _is_separator_or_page_marker(stripped: str) -> bool:
    """A Markdown separator row (`|---|:--|`) or a page marker (`- 3 -`, 第3页, `3/12`): a
    line that holds no cell. (Each pattern runs only when what it looks for is there.)"""
    return ("--" in stripped and _MD_SEPARATOR.match(stripped) is not None) or (
        (stripped[0] in _MARKER_STARTS or stripped[0].isdecimal())
        and _PAGE_MARKER.match(stripped) is not None
    )


def split_line(line: str, lineno: int) -> tuple[list[Cell], bool] | None:
    """Cells of one normalised text line, and whether the line is an explicit row.

    Returns None for lines that hold no cell at all (blank lines, `|||` spacers,
    Markdown separator rows).
    """
    stripped = line.strip(" \t\f\v")
    if not stripped:
        return None
    if "|" not in stripped and "\t" not in line and " " not in stripped:
        # the common case: one cell on its own line (or a page marker like 第3页)
        if stripped[0] in _MARKER_STARTS and _PAGE_MARKER.match(stripped):
            return None
        return [Cell(stripped, lineno)], False
    if stripped == "|" and line.startswith(" "):
        return [Cell("", lineno)], False  # an empty cell flattened as " |"
    if ("|" in stripped and _PIPES_ONLY.match(stripped)) or _is_separator_or_page_marker(stripped):
        return None
    if stripped.count("|") >= 2:
        # a pipe table's row: with outer pipes (Markdown: `| a | 0 |`), or without them
        # (html2text: `label | 26 |  |  | 26`); every field between two pipes is a cell, an
        # empty one a blank cell
        inner = stripped.strip("|") if stripped[0] == "|" else stripped
        return [Cell(c.strip(), lineno) for c in inner.split("|")], True
    if stripped.endswith(" |") or stripped.endswith("|") and stripped.count("|") == 1:
        return [Cell(stripped.rstrip("|").strip(), lineno)], False
    if "\t" in line:
        texts = [c.strip() for c in line.rstrip("\r\n").split("\t")]
        printed = sum(1 for t in texts if t)
        if printed <= 1 and not (
            len(texts) >= 3 and any(t and parse_value(t) is None for t in texts)  # a label
        ):
            return [Cell(stripped, lineno)], False  # one cell after a tab (cell per line)
        cells = [Cell(t, lineno) for t in texts]
        return cells, True  # leading empty cells kept: a blank value is a cell too
    tokens = _SPACE_SPLIT.split(stripped) if " " in stripped and _DIGIT.search(stripped) else ()
    if len(tokens) > 1 and any(_NUMBER_TOKEN.match(t) for t in tokens):
        cells = _space_cells(tokens, lineno)
        if len(cells) > 1:
            return cells, True
    return [Cell(stripped, lineno)], False


# A number cut after its separator by a space (`2, 219`, `7558. 07`: a PDF or OCR text
# layer spacing out a thousands separator or a decimal point): the two halves are one number.
_CUT_AFTER_COMMA = re.compile(r"^\d{1,3}(,\d{3})*,$")
_AFTER_COMMA = re.compile(r"^\d{3}(,\d{3})*(\.\d+)?$")
_CUT_AFTER_POINT = re.compile(r"^\d[\d,]*\.$")
_AFTER_POINT = re.compile(r"^\d+$")


def _rejoin_cut_numbers(tokens: list[str]) -> list[str]:
    """(A line's first token is never a number's first half: `8.` there is a wrapped
    label's item number, `8. 0 0 0` its row of figures.)"""
    out: list[str] = []
    for tok in tokens:
        if len(out) > 1 and (
            (_AFTER_COMMA.match(tok) and _CUT_AFTER_COMMA.match(out[-1]))
            or (_AFTER_POINT.match(tok) and _CUT_AFTER_POINT.match(out[-1]))
        ):
            out[-1] += tok
        else:
            out.append(tok)
    return out


def _space_cells(tokens: list[str], lineno: int) -> list[Cell]:
    """Space-aligned text: each number is a cell, consecutive words form one label cell."""
    if any(t[-1] in ",." for t in tokens):
        tokens = _rejoin_cut_numbers(tokens)
    cells: list[Cell] = []
    words: list[str] = []
    for k, tok in enumerate(tokens):
        if k and (_CUT_AFTER_COMMA.match(tok) or _CUT_AFTER_POINT.match(tok)):
            # half a number that could not be rejoined: a value cell that holds no figure,
            # so the row prints one cell too many and is reported, never read short
            if words:
                cells.append(Cell("".join(words), lineno))
                words = []
            cell = Cell(tok, lineno)
            cell.value, cell.is_label = Value(None, tok), False
            cells.append(cell)
        elif _NUMBER_TOKEN.match(tok) or tok in {"/", "-", "—", "——"}:
            if words:
                cells.append(Cell("".join(words), lineno))
                words = []
            cells.append(Cell(tok, lineno))
        else:
            words.append(tok)
    if words:
        cells.append(Cell("".join(words), lineno))
    return cells


def rows_from_lines(lines: list[str], first_lineno: int = 1) -> list[Row]:
    """Rows of text lines: explicit rows as printed, single cells grouped into rows."""
    rows: list[Row] = []
    loose: list[Cell] = []
    for lineno, line in enumerate(lines, first_lineno):
        if len(line) > 300 and is_run_together(line):
            rows.extend(group_cells(loose))
            loose = []
            rows.extend(rows_from_run_together(line, lineno))
            continue
        stripped = line.strip(" \t\f\v")
        if not stripped:
            continue
        if "|" not in stripped and "\t" not in line and " " not in stripped:
            # split_line's common case, inlined: one cell on its own line, or a page marker
            if not (stripped[0] in _MARKER_STARTS and _PAGE_MARKER.match(stripped)):
                loose.append(Cell(stripped, lineno))
            continue
        # … and its one-cell lines of the other cell-per-line layouts: a cell after a single
        # leading tab, or a cell closed by " |" (a separator or page marker is no cell)
        if (
            line[0] == "\t"
            and " " not in stripped
            and "|" not in stripped
            and line.count("\t") == 1
        ):
            if not _is_separator_or_page_marker(stripped):
                loose.append(Cell(stripped, lineno))
            continue
        if (
            stripped.endswith(" |")
            and stripped[0] != "|"
            and not stripped[0].isspace()
            and stripped.count("|") == 1
        ):
            if not _is_separator_or_page_marker(stripped):
                loose.append(Cell(stripped.rstrip("|").strip(), lineno))
            continue
        split = split_line(line, lineno)
        if split is None:
            continue
        cells, explicit = split
        if explicit:
            rows.extend(group_cells(loose))
            loose = []
            rows.append(Row(cells, explicit=True))
        else:
            loose.extend(cells)
    rows.extend(group_cells(loose))
    return rows


# Labels that always open a row: section headings, table anchors, narrative paragraphs.
_OPENS_ROW = re.compile(r"^[一二三四五六七八九十]、|第二十条|行政复议|收到和处理|本年新收")
NARRATIVE_CHARS = 60


def group_cells(cells: list[Cell]) -> list[Row]:
    """One cell per line: a label after a value starts a new row, and so does a heading,
    a table anchor or a narrative paragraph (or the label after one)."""
    rows: list[Row] = []
    last: list[Cell] = []  # the cells of the last row
    last_has_value = False
    for cell in cells:
        opens = not rows or (
            cell.is_label
            and (
                last_has_value
                or len(cell.text) > NARRATIVE_CHARS
                or len(last[-1].text) > NARRATIVE_CHARS
                or _OPENS_ROW.search(cell.text) is not None
            )
        )
        if opens:
            last = [cell]
            rows.append(Row(last, explicit=False))
            last_has_value = cell.value is not None
        else:
            last.append(cell)
            last_has_value = last_has_value or cell.value is not None
    return rows


# ---------------------------------------------------------------- run-together text
# A crawler dump that lost every separator: labels and digit runs alternate on one line.
_RUN_TOKEN = re.compile(r"-?\d+(?:\.\d+)?(?:元|万元)?|[^\d-]+|-")
_ITEM_NUMBER = re.compile(r"(\d)$")
_RUN_MARKERS = re.compile(r"本年新收|第二十条|结果维持")
_TRAILING_YEAR = re.compile(r"(\d*?)((?:19|20)\d\d)")


def is_run_together(line: str) -> bool:
    """A long line holding table labels with digit runs glued to them."""
    return (
        len(line) > 300
        and bool(_RUN_MARKERS.search(line))
        and bool(re.search(r"[\u4e00-\u9fff]\d{3,}", line))
    )


def _is_number_token(tok: str) -> bool:
    return tok[0].isdigit() or tok[0] == "-" and tok[1:2].isdigit()


def _split_year(tok: str) -> tuple[str, str]:
    """`tok` (digits glued to a following 年) as (the digits before, the year)."""
    m = _TRAILING_YEAR.fullmatch(tok)
    return (m[1], m[2]) if m else (tok, "")


def rows_from_run_together(line: str, lineno: int) -> list[Row]:
    """Cells of a run-together line: label runs and digit runs (a space is a cell
    boundary). The digit right before `N.` or `N、` + label is the label's number. A year
    glued to the prose after a table (`行政事业性收费02025年，我局…`: the cell 0, then
    `2025年，…`) goes with its 年: four digits 19xx/20xx right before 年 are never a
    cell's."""
    tokens: list[str] = []
    for tok in _RUN_TOKEN.findall(line):
        is_number = tok[0].isdigit() or tok[0] == "-" and tok[1:2].isdigit()
        if not is_number and tok[0] == "年" and tokens and _is_number_token(tokens[-1]):
            head, year = _split_year(tokens[-1])
            if year:
                tok = year + tok
                if head:
                    tokens[-1] = head
                else:
                    tokens.pop()
        if not is_number and tokens and not _is_number_token(tokens[-1]):
            tokens[-1] += tok  # one text run, whatever punctuation it holds
        else:
            tokens.append(tok)
    cells: list[Cell] = []
    carry = ""
    for k, tok in enumerate(tokens):
        nxt = tokens[k + 1] if k + 1 < len(tokens) else ""
        if _is_number_token(tok):
            if re.match(r"^[.、]\s*[^\d\s]", nxt) and "." not in tok:
                tok, carry = tok[:-1], tok[-1]
            if tok and tok != "-":
                cells.append(Cell(tok, lineno))
        else:
            text = (carry + tok).strip()
            carry = ""
            if text:
                cells.append(Cell(text, lineno))
    return group_cells(cells)
